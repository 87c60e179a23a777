namespace Sendarix.Contracts.Credentials;

/// <summary>One SMTP credential, keyed by its username so AUTH finds it in one call.</summary>
public interface ICredentialGrain : IGrainWithStringKey
{
    Task InitializeAsync(CredentialRecord record);

    /// <summary>The credential, or null for an unknown username.</summary>
    Task<CredentialRecord?> GetAsync();

    Task RevokeAsync();
}
