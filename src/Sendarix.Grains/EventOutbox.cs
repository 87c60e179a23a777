using Microsoft.Extensions.Logging;
using Sendarix.Core.Events;
using Sendarix.Storage.Events;

namespace Sendarix.Grains;

/// <summary>A tenant event decided with a change of a grain's state, kept in that state until it is recorded.</summary>
[GenerateSerializer, Immutable, Alias("Sendarix.PendingTenantEvent")]
public sealed record PendingTenantEvent(
    [property: Id(0)] EventType Type,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string? Detail,
    [property: Id(3)] string? EndpointId = null);

/// <summary>The state of a grain whose changes are told by tenant events.</summary>
public interface IEventOutboxState
{
    List<PendingTenantEvent> PendingEvents { get; set; }
}

/// <summary>
/// Tenant events stored with the change they tell of, then recorded, then taken out of the state. A crash or a failed
/// record between the change and its events leaves them in the state, in order, and they are recorded later: by a
/// timer that tries every few seconds (started by the failure, or by the grain's next activation; a timer, so that
/// the recorder may call the grain back), or with the grain's next change. An event's id is made from what it is, so
/// one recorded twice is stored once. So no stored change goes untold, no event tells of a change the state lost, and
/// a caller whose change is stored does not fail because its event has to wait.
/// </summary>
internal sealed partial class EventOutbox<TState>(IGrainBase grain, IPersistentState<TState> state, EventRecorder events,
    Func<PendingTenantEvent, RelayEvent> toEvent, ILogger logger)
    where TState : IEventOutboxState
{
    static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(5);

    IGrainTimer? _timer;

    /// <summary>Adds an event to be stored with the state's next write, after any still waiting.</summary>
    public void Add(PendingTenantEvent pending) => state.State.PendingEvents = [.. state.State.PendingEvents, pending];

    /// <summary>Records the events stored in the state, or has a timer try again when they cannot be recorded now.</summary>
    public async Task RecordAsync()
    {
        try
        {
            await RecordPendingAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRecordLater(logger, state.State.PendingEvents.Count, ex.Message);
            RecordLater();
        }
    }

    /// <summary>Records the events in the state from a timer, trying again until they are recorded.</summary>
    public void RecordLater()
    {
        if (state.State.PendingEvents.Count > 0)
        {
            _timer ??= grain.RegisterGrainTimer(async _ =>
            {
                await RecordPendingAsync();
                _timer?.Dispose();
                _timer = null;
            }, new GrainTimerCreationOptions(TimeSpan.Zero, RetryInterval));
        }
    }

    async Task RecordPendingAsync()
    {
        var pending = state.State.PendingEvents;
        if (pending.Count == 0)
        {
            return;
        }

        await events.RecordAsync([.. pending.Select(toEvent)], CancellationToken.None);
        state.State.PendingEvents = [.. state.State.PendingEvents.Except(pending)];
        await state.WriteStateAsync();
    }

    [LoggerMessage(EventId = 3501, EventName = "TenantEventsWaiting", Level = LogLevel.Warning,
        Message = "{Count} tenant event(s) stored with their change could not be recorded yet, and are tried again: {Reason}")]
    static partial void LogRecordLater(ILogger logger, int count, string reason);
}
