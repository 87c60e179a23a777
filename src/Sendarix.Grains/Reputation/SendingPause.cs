using Sendarix.Contracts.Tenants;
using Sendarix.Core.Events;
using Sendarix.Storage.Events;

namespace Sendarix.Grains.Reputation;

/// <summary>The state a sender that can be paused keeps: a tenant's or a sub-tenant's.</summary>
public interface IPausableState : IEventOutboxState
{
    string? PausedReason { get; set; }

    DateTimeOffset? PausedAt { get; set; }
}

/// <summary>
/// Pausing and resuming a sender, the same for a tenant and a sub-tenant: the event is stored with the change and
/// recorded after it (<see cref="EventOutbox{TState}"/>), a second pause keeps the first reason, and a resume starts
/// the reputation window afresh so the old bounces cannot pause it again at once.
/// </summary>
internal sealed class SendingPause<TState>(
    IPersistentState<TState> state,
    ITenantReputationGrain window,
    EventOutbox<TState> outbox,
    TimeProvider time)
    where TState : IPausableState
{
    public async Task PauseAsync(string reason)
    {
        if (state.State.PausedReason is not null)
        {
            return;
        }

        var at = time.GetUtcNow();
        state.State.PausedReason = reason;
        state.State.PausedAt = at;
        outbox.Add(new PendingTenantEvent(EventType.TenantPaused, at, reason));
        await state.WriteStateAsync();
        await outbox.RecordAsync();
    }

    public async Task ResumeAsync()
    {
        if (state.State.PausedReason is null)
        {
            return;
        }

        state.State.PausedReason = null;
        state.State.PausedAt = null;
        outbox.Add(new PendingTenantEvent(EventType.TenantResumed, time.GetUtcNow(), null));
        await state.WriteStateAsync();
        await window.ResetAsync();
        await outbox.RecordAsync();
    }
}
