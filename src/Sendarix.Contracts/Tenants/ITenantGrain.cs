using Sendarix.Contracts.Credentials;

namespace Sendarix.Contracts.Tenants;

/// <summary>One tenant: its profile and the SMTP credentials it owns. Keyed by tenant id.</summary>
public interface ITenantGrain : IGrainWithStringKey
{
    /// <summary>Creates the tenant; a second call with the same id returns the existing tenant unchanged.</summary>
    Task<TenantInfo> CreateAsync(string name);

    /// <summary>Changes the tenant's settings; null when the tenant does not exist.</summary>
    Task<TenantInfo?> UpdateSettingsAsync(TenantSettingsChange change);

    /// <summary>Replaces the tenant's sending limits; null when the tenant does not exist.</summary>
    Task<TenantInfo?> SetLimitsAsync(SendingLimits limits);

    /// <summary>Pauses the tenant's sending (its MAIL FROM is refused) with a reason; a paused tenant stays as it is.</summary>
    Task<TenantInfo?> PauseAsync(string reason);

    /// <summary>Lets a paused tenant send again and starts its reputation window afresh.</summary>
    Task<TenantInfo?> ResumeAsync();

    /// <summary>The tenant, or null when it does not exist.</summary>
    Task<TenantInfo?> GetAsync();

    /// <summary>Issues a new credential, for one sub-tenant when one is named; the secret is in the result and nowhere else.</summary>
    Task<IssuedCredential?> IssueCredentialAsync(string? label, IReadOnlyList<string>? allowedNetworks, string kind, string? subtenant = null);

    Task<IReadOnlyList<CredentialInfo>> ListCredentialsAsync();

    /// <summary>Revokes a credential on every front-end; false when the tenant has no such credential.</summary>
    Task<bool> RevokeCredentialAsync(string credentialId);

    /// <summary>Adds a sender domain; null when the tenant does not exist. A domain another tenant holds is a conflict.</summary>
    Task<Domains.DomainClaim?> AddDomainAsync(string domain, bool ed25519);

    /// <summary>The names of the tenant's sender domains.</summary>
    Task<IReadOnlyList<string>> ListDomainsAsync();
}
