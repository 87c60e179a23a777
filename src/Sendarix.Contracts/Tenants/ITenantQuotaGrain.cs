namespace Sendarix.Contracts.Tenants;

/// <summary>
/// A tenant's message counts, one activation for the whole cluster, so its limits hold however many front-ends it
/// sends through. Keyed by tenant id, or by <c>ISubtenantGrain.Key</c> for a sub-tenant's own limits.
/// </summary>
public interface ITenantQuotaGrain : IGrainWithStringKey
{
    /// <summary>Counts one message if the limits allow it now.</summary>
    Task<QuotaResult> TryTakeAsync(int? perMinute, int? perDay);
}

/// <summary>Whether a message may be sent now; if not, the limit reached and how long until the next may go.</summary>
[GenerateSerializer, Immutable, Alias("Sendarix.QuotaResult")]
public sealed record QuotaResult(
    [property: Id(0)] bool Allowed,
    [property: Id(1)] string? Limit,
    [property: Id(2)] TimeSpan RetryAfter);
