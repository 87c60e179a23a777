using Sendarix.Contracts.Tenants;
using Sendarix.Core.Limits;

namespace Sendarix.Grains.Tenants;

/// <summary>
/// A tenant's message counts. The per-day counts are saved a few seconds after they change (<see cref="WriteBehind"/>)
/// and on deactivation, so a restart does not hand a tenant a fresh day; the per-minute window starts again.
/// </summary>
public sealed class TenantQuotaGrain(
    [PersistentState("quota", GrainStorage.Default)] IPersistentState<QuotaState> state,
    TimeProvider time) : Grain, ITenantQuotaGrain
{
    readonly QuotaCounter _counter = new();
    WriteBehind _save = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _counter.Restore(state.State.Hours.Select(h => (h.Key, h.Value)));
        _save = new WriteBehind(this, async ct =>
        {
            state.State.Hours = _counter.DailyCounts(time.GetUtcNow()).ToDictionary(h => h.Hour, h => h.Count);
            await state.WriteStateAsync(ct);
        });
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _save.FlushAsync(cancellationToken);

    public Task<QuotaResult> TryTakeAsync(int? perMinute, int? perDay)
    {
        var decision = _counter.TryTake(time.GetUtcNow(), perMinute, perDay);
        if (decision.Allowed)
        {
            _save.Changed();
        }

        return Task.FromResult(new QuotaResult(decision.Allowed, decision.Limit, decision.RetryAfter));
    }
}

[GenerateSerializer, Alias("Sendarix.QuotaState")]
public sealed class QuotaState
{
    /// <summary>Messages per hour over the last 24 hours, by the hour's start.</summary>
    [Id(0)] public Dictionary<DateTimeOffset, int> Hours { get; set; } = [];
}
