namespace Sendarix.Contracts.Credentials;

/// <summary>
/// What a front-end needs to check a password: the owning tenant, the secret's hash, and the networks (CIDR) the
/// credential may be used from (none: anywhere).
/// </summary>
[GenerateSerializer, Immutable, Alias("Sendarix.CredentialRecord")]
public sealed record CredentialRecord(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string CredentialId,
    [property: Id(2)] string SecretHash,
    [property: Id(3)] bool Revoked,
    [property: Id(4)] IReadOnlyList<string>? AllowedNetworks = null);
