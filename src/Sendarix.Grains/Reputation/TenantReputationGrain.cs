using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Contracts.Subtenants;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Reputation;

namespace Sendarix.Grains.Reputation;

/// <summary>
/// A tenant's sliding-window counts. They are saved a few seconds after they change (<see cref="WriteBehind"/>) and
/// on deactivation, so a restart does not wipe a bad record; the pause itself is stored by the tenant grain.
/// </summary>
public sealed partial class TenantReputationGrain(
    [PersistentState("reputation", GrainStorage.Default)] IPersistentState<ReputationState> state,
    IOptions<ReputationOptions> options,
    TimeProvider time,
    ILogger<TenantReputationGrain> logger) : Grain, ITenantReputationGrain
{
    readonly ReputationWindow _window = new(options.Value.Window);
    WriteBehind _save = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _window.Restore(state.State.Buckets.Select(b => (b.Start, b.Sent, b.Bounced, b.Complained, b.Spam)));
        _save = new WriteBehind(this, async ct =>
        {
            state.State.Buckets = _window.Buckets(time.GetUtcNow()).Select(b => new ReputationBucket(b.Start, b.Sent, b.Bounced, b.Complained, b.Spam)).ToList();
            await state.WriteStateAsync(ct);
        });
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _save.FlushAsync(cancellationToken);

    public Task RecordAsync(int sent, int bounced, int complained)
    {
        _window.Record(time.GetUtcNow(), sent, bounced, complained);
        return JudgeAsync();
    }

    public Task RecordSpamAsync(int refused)
    {
        _window.RecordSpam(time.GetUtcNow(), refused);
        return JudgeAsync();
    }

    async Task JudgeAsync()
    {
        var now = time.GetUtcNow();
        _save.Changed();
        if (_window.PauseReason(now, options.Value.Thresholds) is { } reason)
        {
            // A sub-tenant's window pauses that sub-tenant; the tenant's, the tenant.
            var key = this.GetPrimaryKeyString();
            var paused = ISubtenantGrain.IsKey(key)
                ? (await GrainFactory.GetGrain<ISubtenantGrain>(key).PauseAsync(reason))?.PausedReason
                : (await GrainFactory.GetGrain<ITenantGrain>(key).PauseAsync(reason))?.PausedReason;
            if (paused == reason)
            {
                LogPaused(logger, key, reason);
            }
        }
    }

    public Task ResetAsync()
    {
        _window.Clear();
        _save.Changed();
        return Task.CompletedTask;
    }

    public Task<ReputationStanding> GetAsync()
    {
        var (sent, bounced, complained) = _window.Totals(time.GetUtcNow());
        var o = options.Value;
        return Task.FromResult(new ReputationStanding(o.Window, sent, bounced, complained, o.MinimumSends, o.MaxBounceRate, o.MaxComplaintRate,
            _window.SpamRefusals(time.GetUtcNow()), o.MaxSpamRefusals));
    }

    [LoggerMessage(EventId = 3201, EventName = "TenantPaused", Level = LogLevel.Warning, Message = "Tenant or sub-tenant {TenantId} paused: {Reason}")]
    static partial void LogPaused(ILogger logger, string tenantId, string reason);
}

[GenerateSerializer, Alias("Sendarix.ReputationState")]
public sealed class ReputationState
{
    [Id(0)] public List<ReputationBucket> Buckets { get; set; } = [];
}

[GenerateSerializer, Immutable, Alias("Sendarix.ReputationBucket")]
public sealed record ReputationBucket(
    [property: Id(0)] DateTimeOffset Start,
    [property: Id(1)] int Sent,
    [property: Id(2)] int Bounced,
    [property: Id(3)] int Complained,
    [property: Id(4)] int Spam = 0);
