namespace Sendarix.Contracts.Domains;

/// <summary>
/// One sender domain, keyed by its lower-case name: which tenant holds it, its DKIM key (the private half
/// encrypted at rest, never returned) and what DNS says about its records. A domain belongs to one tenant.
/// </summary>
public interface IDomainGrain : IGrainWithStringKey
{
    /// <summary>
    /// Gives the domain to the tenant, with a new DKIM key (RSA 2048, and an Ed25519 key for a second signature when
    /// <paramref name="ed25519"/>); the same tenant claiming again gets it unchanged.
    /// </summary>
    Task<DomainClaim> ClaimAsync(string tenantId, bool ed25519);

    /// <summary>The domain, or null when no tenant holds it.</summary>
    Task<DomainInfo?> GetAsync();

    /// <summary>Looks the records up in DNS now and returns the result; null when no tenant holds the domain.</summary>
    Task<DomainInfo?> VerifyAsync();

    /// <summary>
    /// Starts a key rotation: a new key under a new selector, to be published beside the current one. Signing switches
    /// when a verification finds the new record; the old selector is then retired. Null when the tenant does not hold
    /// the domain; a rotation already under way is returned as it is.
    /// </summary>
    Task<DomainInfo?> RotateAsync(string tenantId);

    /// <summary>The signing key, when the domain is verified and held by <paramref name="tenantId"/>; otherwise null.</summary>
    Task<DkimKey?> GetSigningKeyAsync(string tenantId);
}
