using Sendarix.Contracts.Tenants;
using Sendarix.Core.Limits;

namespace Sendarix.Grains.Tenants;

/// <summary>
/// Counts in memory: a silo restart starts the counts again, which can let a tenant past its daily limit once in a
/// day after a restart; persisting the hourly buckets would close that at the cost of a write per message.
/// </summary>
public sealed class TenantQuotaGrain(TimeProvider time) : Grain, ITenantQuotaGrain
{
    readonly QuotaCounter _counter = new();

    public Task<QuotaResult> TryTakeAsync(int? perMinute, int? perDay)
    {
        var decision = _counter.TryTake(time.GetUtcNow(), perMinute, perDay);
        return Task.FromResult(new QuotaResult(decision.Allowed, decision.Limit, decision.RetryAfter));
    }
}
