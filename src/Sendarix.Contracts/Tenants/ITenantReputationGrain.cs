namespace Sendarix.Contracts.Tenants;

/// <summary>
/// A tenant's recent delivery outcomes, counted cluster-wide (keyed by tenant id). When its bounce or complaint
/// rate passes the thresholds, it pauses the tenant, and only that tenant.
/// </summary>
public interface ITenantReputationGrain : IGrainWithStringKey
{
    Task RecordAsync(int sent, int bounced, int complained);

    /// <summary>Forgets the window, as when an operator resumes the tenant.</summary>
    Task ResetAsync();
}
