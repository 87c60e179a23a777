namespace Sendarix.Contracts.Credentials;

/// <summary>A credential as listed: never its secret nor the secret's hash. One issued for a sub-tenant sends as that sub-tenant only.</summary>
[GenerateSerializer, Immutable, Alias("Sendarix.CredentialInfo")]
public sealed record CredentialInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Username,
    [property: Id(2)] string? Label,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset? RevokedAt,
    [property: Id(5)] IReadOnlyList<string>? AllowedNetworks = null,
    [property: Id(6)] string? Kind = null,
    [property: Id(7)] string? Subtenant = null)
{
    public bool Is(string kind) => (Kind ?? CredentialKind.Smtp) == kind;
}
