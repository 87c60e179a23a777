using Microsoft.Extensions.Logging;
using Sendarix.Contracts.Subtenants;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Events;
using Sendarix.Grains.Reputation;
using Sendarix.Storage.Events;

namespace Sendarix.Grains.Subtenants;

/// <summary>
/// One sub-tenant's record: created once (its place in the tenant's directory first, so the limit holds), paused and
/// resumed by itself. Its pause and resume are the tenant's events, naming the sub-tenant.
/// </summary>
public sealed class SubtenantGrain(
    [PersistentState("subtenant", GrainStorage.Default)] IPersistentState<SubtenantState> state,
    EventRecorder events,
    TimeProvider time,
    ILogger<SubtenantGrain> logger) : Grain, ISubtenantGrain
{
    EventOutbox<SubtenantState> _outbox = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _outbox = new(this, state, events, e => RelayEvent.ForTenant(Key.TenantId, e.Type, e.At, e.Detail, subtenant: Key.Id), logger);
        _outbox.RecordLater();
        return Task.CompletedTask;
    }

    (string TenantId, string Id) Key
    {
        get
        {
            var key = this.GetPrimaryKeyString();
            var colon = key.IndexOf(':');
            return (key[..colon], key[(colon + 1)..]);
        }
    }

    public async Task<SubtenantCreation> CreateAsync(string? name, bool implicitly, int maxPerTenant)
    {
        if (state.State.CreatedAt is not null)
        {
            return new SubtenantCreation(Info(), false);
        }

        var (tenantId, id) = Key;
        if (!await GrainFactory.GetGrain<ISubtenantDirectoryGrain>(tenantId).TryAddAsync(id, maxPerTenant))
        {
            return new SubtenantCreation(null, false, maxPerTenant);
        }

        state.State.CreatedAt = time.GetUtcNow();
        state.State.Name = name;
        state.State.CreatedImplicitly = implicitly;
        await state.WriteStateAsync();
        return new SubtenantCreation(Info(), true);
    }

    public Task<SubtenantInfo?> GetAsync() => Task.FromResult(Info());

    public async Task<SubtenantInfo?> PauseAsync(string reason)
    {
        if (state.State.CreatedAt is null)
        {
            return null;
        }

        await Pause.PauseAsync(reason);
        return Info();
    }

    public async Task<SubtenantInfo?> ResumeAsync()
    {
        if (state.State.CreatedAt is null)
        {
            return null;
        }

        await Pause.ResumeAsync();
        return Info();
    }

    SendingPause<SubtenantState> Pause => new(state, GrainFactory.GetGrain<ITenantReputationGrain>(this.GetPrimaryKeyString()), _outbox, time);

    public async Task<SubtenantInfo?> UpdateAsync(string? name, string? pool, bool? ownSuppressionList, SpamFilterChange? spamFilter = null)
    {
        if (state.State.CreatedAt is null)
        {
            return null;
        }

        state.State.Name = name ?? state.State.Name;
        state.State.Pool = pool is null ? state.State.Pool : pool.Length == 0 ? null : pool;
        state.State.OwnSuppressionList = ownSuppressionList ?? state.State.OwnSuppressionList;
        state.State.SpamFilter = spamFilter is { } spam ? spam.Policy : state.State.SpamFilter;
        await state.WriteStateAsync();
        return Info();
    }

    public async Task<SubtenantInfo?> SetLimitsAsync(SendingLimits limits)
    {
        if (state.State.CreatedAt is null)
        {
            return null;
        }

        state.State.Limits = limits;
        await state.WriteStateAsync();
        return Info();
    }

    SubtenantInfo? Info()
    {
        if (state.State.CreatedAt is not { } created)
        {
            return null;
        }

        var (tenantId, id) = Key;
        return new SubtenantInfo(tenantId, id, created, state.State.Name, state.State.CreatedImplicitly, state.State.PausedReason, state.State.PausedAt,
            state.State.Limits, state.State.Pool, state.State.OwnSuppressionList, state.State.SpamFilter);
    }
}

[GenerateSerializer, Alias("Sendarix.SubtenantState")]
public sealed class SubtenantState : IPausableState
{
    /// <summary>Set once the sub-tenant exists.</summary>
    [Id(0)] public DateTimeOffset? CreatedAt { get; set; }

    [Id(1)] public string? Name { get; set; }

    [Id(2)] public bool CreatedImplicitly { get; set; }

    [Id(3)] public string? PausedReason { get; set; }

    [Id(4)] public DateTimeOffset? PausedAt { get; set; }

    [Id(5)] public SendingLimits? Limits { get; set; }

    [Id(6)] public string? Pool { get; set; }

    [Id(7)] public bool OwnSuppressionList { get; set; }

    /// <summary>Its spam policy; null: the tenant's.</summary>
    [Id(8)] public Sendarix.Core.Spam.SpamPolicy? SpamFilter { get; set; }

    [Id(9)] public List<PendingTenantEvent> PendingEvents { get; set; } = [];
}
