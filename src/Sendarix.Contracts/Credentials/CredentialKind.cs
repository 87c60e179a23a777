namespace Sendarix.Contracts.Credentials;

/// <summary>
/// What a credential opens: SMTP submission, or the management API scoped to its tenant. One never works as the
/// other, so a leaked SMTP password does not open the API and an API key does not send mail.
/// </summary>
public static class CredentialKind
{
    public const string Smtp = "smtp";
    public const string Api = "api";
}
