namespace Sendarix.Contracts.Tenants;

/// <summary>
/// A tenant's recent delivery outcomes, counted cluster-wide (keyed by tenant id), or a sub-tenant's (keyed
/// <c>ISubtenantGrain.Key</c>). When its bounce or complaint rate passes the thresholds, it pauses that tenant or
/// sub-tenant, and only that one.
/// </summary>
public interface ITenantReputationGrain : IGrainWithStringKey
{
    Task RecordAsync(int sent, int bounced, int complained);

    /// <summary>Counts messages its spam filter refused (rejected or held); enough of them pause it.</summary>
    Task RecordSpamAsync(int refused);

    /// <summary>Forgets the window, as when an operator resumes the tenant.</summary>
    Task ResetAsync();

    /// <summary>The window as it stands: the counts, and the thresholds that would pause the tenant.</summary>
    Task<ReputationStanding> GetAsync();
}

/// <summary>
/// A tenant's reputation window: sends (final answers), hard bounces and complaints over the last
/// <paramref name="Window"/>, and the rates above which the tenant is paused once it has sent
/// <paramref name="MinimumSends"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("Sendarix.ReputationStanding")]
public sealed record ReputationStanding(
    [property: Id(0)] TimeSpan Window,
    [property: Id(1)] int Sent,
    [property: Id(2)] int HardBounced,
    [property: Id(3)] int Complained,
    [property: Id(4)] int MinimumSends,
    [property: Id(5)] double MaxBounceRate,
    [property: Id(6)] double MaxComplaintRate,
    [property: Id(7)] int SpamRefused = 0,
    [property: Id(8)] int MaxSpamRefusals = 0);
