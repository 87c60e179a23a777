namespace Sendarix.Contracts.Credentials;

/// <summary>What a front-end needs to check a password: the owning tenant and the secret's hash.</summary>
[GenerateSerializer, Immutable, Alias("Sendarix.CredentialRecord")]
public sealed record CredentialRecord(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string CredentialId,
    [property: Id(2)] string SecretHash,
    [property: Id(3)] bool Revoked);
