namespace Sendarix.Contracts.Credentials;

/// <summary>
/// What a front-end needs to check a password: the owning tenant, the secret's hash, the networks (CIDR) the
/// credential may be used from (none: anywhere), its <see cref="CredentialKind"/>, and the sub-tenant it sends as
/// (none: the tenant, or whichever sub-tenant a message names).
/// </summary>
[GenerateSerializer, Immutable, Alias("Sendarix.CredentialRecord")]
public sealed record CredentialRecord(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string CredentialId,
    [property: Id(2)] string SecretHash,
    [property: Id(3)] bool Revoked,
    [property: Id(4)] IReadOnlyList<string>? AllowedNetworks = null,
    [property: Id(5)] string? Kind = null,
    [property: Id(6)] string? Subtenant = null)
{
    /// <summary>Records stored before kinds existed are SMTP credentials.</summary>
    public bool Is(string kind) => (Kind ?? CredentialKind.Smtp) == kind;
}
