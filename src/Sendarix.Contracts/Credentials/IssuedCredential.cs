namespace Sendarix.Contracts.Credentials;

/// <summary>A credential just issued, with the secret that is shown this once.</summary>
[GenerateSerializer, Immutable, Alias("Sendarix.IssuedCredential")]
public sealed record IssuedCredential(
    [property: Id(0)] CredentialInfo Credential,
    [property: Id(1)] string Secret);
