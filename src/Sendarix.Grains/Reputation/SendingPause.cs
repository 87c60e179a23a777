using Sendarix.Contracts.Tenants;
using Sendarix.Core.Events;
using Sendarix.Storage.Events;

namespace Sendarix.Grains.Reputation;

/// <summary>The state a sender that can be paused keeps: a tenant's or a sub-tenant's.</summary>
public interface IPausableState
{
    string? PausedReason { get; set; }

    DateTimeOffset? PausedAt { get; set; }
}

/// <summary>
/// Pausing and resuming a sender, the same for a tenant and a sub-tenant: the reason is written before its event (an
/// event never tells of a pause the state lost), a second pause keeps the first reason, and a resume starts the
/// reputation window afresh so the old bounces cannot pause it again at once.
/// </summary>
public sealed class SendingPause<TState>(
    IPersistentState<TState> state,
    ITenantReputationGrain window,
    EventRecorder events,
    TimeProvider time,
    Func<EventType, DateTimeOffset, string?, RelayEvent> eventOf)
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
        await state.WriteStateAsync();
        await events.RecordAsync([eventOf(EventType.TenantPaused, at, reason)], CancellationToken.None);
    }

    public async Task ResumeAsync()
    {
        if (state.State.PausedReason is null)
        {
            return;
        }

        state.State.PausedReason = null;
        state.State.PausedAt = null;
        await state.WriteStateAsync();
        await window.ResetAsync();
        await events.RecordAsync([eventOf(EventType.TenantResumed, time.GetUtcNow(), null)], CancellationToken.None);
    }
}
