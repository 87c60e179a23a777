namespace Sendarix.Contracts.Credentials;

/// <summary>
/// An OpenID Connect issuer whose tokens a tenant's senders may log in with (SASL XOAUTH2 or OAUTHBEARER). A token is
/// taken when it is signed by a key of <see cref="JwksUrl"/> (or of the issuer's discovery document), names
/// <see cref="Issuer"/> and <see cref="Audience"/>, is within its lifetime, and its <see cref="Claim"/> holds the
/// address the client logs in as; the session then sends as the credential <see cref="CredentialId"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("Sendarix.OAuthIssuer")]
public sealed record OAuthIssuer(
    [property: Id(0)] string Name,
    [property: Id(1)] string Issuer,
    [property: Id(2)] string? JwksUrl,
    [property: Id(3)] string Audience,
    [property: Id(4)] string Claim,
    [property: Id(5)] string CredentialId,
    [property: Id(6)] string CredentialUsername,
    [property: Id(7)] DateTimeOffset UpdatedAt);

/// <summary>A tenant's OAuth issuers, keyed by tenant id; the API checks the credential before a registration is saved.</summary>
public interface IOAuthIssuersGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces the registration by its name; true when it is new.</summary>
    Task<bool> PutAsync(OAuthIssuer issuer);

    [Orleans.Concurrency.AlwaysInterleave]
    Task<IReadOnlyList<OAuthIssuer>> ListAsync();

    Task<bool> DeleteAsync(string name);
}
