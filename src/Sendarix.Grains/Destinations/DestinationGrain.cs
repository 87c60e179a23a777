using Orleans.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Contracts.Destinations;
using Sendarix.Core.Retry;
using Sendarix.Storage.Queue;
using Sendarix.Storage.Retries;

namespace Sendarix.Grains.Destinations;

/// <summary>
/// A destination's back-off and its deferred work. Deferred recipients wait in the retry table under the
/// destination's partition; one reminder per destination fires when the earliest of them falls due and moves every
/// due entry back to the delivery queue in a few storage operations. A million messages queued for a domain that is
/// down therefore cost one reminder, and after a connection-level failure the whole destination backs off instead
/// of each message rediscovering the outage.
/// </summary>
public sealed partial class DestinationGrain(
    [PersistentState("destination", GrainStorage.Default)] IPersistentState<DestinationState> state,
    RetryStore retries,
    DestinationIndex index,
    WorkQueue queue,
    IOptions<RetryOptions> options,
    TimeProvider time,
    ILogger<DestinationGrain> logger) : Grain, IDestinationGrain, IRemindable
{
    const string ReleaseReminder = "release";

    // Bounds one reminder tick; whatever remains is released on the next tick, which comes at once.
    const int ReleasePageSize = 500;
    const int MaxPagesPerTick = 20;

    string Destination => this.GetPrimaryKeyString();

    public Task<DateTimeOffset?> GetBackoffAsync()
    {
        if (state.State.Paused)
        {
            return Task.FromResult<DateTimeOffset?>(time.GetUtcNow() + options.Value.ReminderPeriod);
        }

        var until = state.State.BackoffUntil;
        return Task.FromResult(until > time.GetUtcNow() ? until : null);
    }

    public async Task<DateTimeOffset> ReportUnreachableAsync(string reason)
    {
        var now = time.GetUtcNow();
        if (state.State.BackoffUntil is { } current && current > now)
        {
            // Attempts already in flight when the back-off began report too; they do not lengthen it.
            return current;
        }

        state.State.ConsecutiveFailures++;
        state.State.LastError = reason;
        state.State.BackoffUntil = now + options.Value.ToPolicy().DelayAfter(state.State.ConsecutiveFailures);
        await WriteAsync();
        LogBackoff(logger, Destination, state.State.BackoffUntil.Value, reason);
        return state.State.BackoffUntil.Value;
    }

    public async Task<DateTimeOffset> ReportDeferredAsync(string reason, DateTimeOffset until)
    {
        if (state.State.BackoffUntil is { } current && current >= until)
        {
            return current;
        }

        state.State.LastError = reason;
        state.State.BackoffUntil = until;
        await WriteAsync();
        LogBackoff(logger, Destination, until, reason);
        return until;
    }

    public async Task ReportReachableAsync()
    {
        if (state.State.ConsecutiveFailures == 0 && state.State.BackoffUntil is null)
        {
            return;
        }

        state.State.ConsecutiveFailures = 0;
        state.State.BackoffUntil = null;
        state.State.LastError = null;
        await WriteAsync();
    }

    public async Task ScheduleAsync(DateTimeOffset due)
    {
        if (state.State.NextRelease is { } next && next <= due)
        {
            return;
        }

        await SetReleaseAsync(due);
    }

    public async Task<DestinationStatus> GetStatusAsync()
    {
        // The operator's list asks about every indexed destination: one whose back-off ran out with nothing waiting,
        // or whose row a crash left behind, leaves the index here.
        if (state.State.Listed != Listed())
        {
            await WriteAsync();
        }
        else if (!state.State.Listed)
        {
            await TryIndexAsync(false);
        }

        return Status();
    }

    public async Task<DestinationStatus> SetPausedAsync(bool paused)
    {
        state.State.Paused = paused;
        await WriteAsync();
        return Status();
    }

    DestinationStatus Status() => new(
        Destination, state.State.BackoffUntil, state.State.ConsecutiveFailures, state.State.LastError, state.State.NextRelease, state.State.Paused);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReleaseReminder)
        {
            return;
        }

        var now = time.GetUtcNow();
        for (var page = 0; page < MaxPagesPerTick; page++)
        {
            var due = await retries.GetDueAsync(Destination, now, ReleasePageSize, CancellationToken.None);
            if (due.Count == 0)
            {
                break;
            }

            // Queue first, then delete: a crash in between repeats an attempt, never loses one.
            await queue.SendAsync(due.Select(d => d.Item).ToList(), CancellationToken.None);
            await retries.RemoveAsync(Destination, due, CancellationToken.None);
            LogReleased(logger, Destination, due.Count);
            if (due.Count < ReleasePageSize)
            {
                break;
            }
        }

        var nextDue = await retries.GetNextDueAsync(Destination, CancellationToken.None);
        if (nextDue is null)
        {
            state.State.NextRelease = null;
            await WriteAsync();
            var reminder = await this.GetReminder(ReleaseReminder);
            if (reminder is not null)
            {
                await this.UnregisterReminder(reminder);
            }

            return;
        }

        await SetReleaseAsync(nextDue.Value);
    }

    async Task SetReleaseAsync(DateTimeOffset due)
    {
        var wait = due - time.GetUtcNow();
        await this.RegisterOrUpdateReminder(ReleaseReminder, wait > TimeSpan.Zero ? wait : TimeSpan.Zero, options.Value.ReminderPeriod);
        state.State.NextRelease = due;
        await WriteAsync();
    }

    bool Listed() => state.State.NextRelease is not null || state.State.Paused || state.State.BackoffUntil > time.GetUtcNow();

    /// <summary>
    /// Writes the state, and first updates the destination index when the destination starts or stops having something
    /// to show. The index only serves the operator's list: failing to update it never fails delivery, and the next
    /// write tries again (the state remembers what the index was last told).
    /// </summary>
    async Task WriteAsync()
    {
        var listed = Listed();
        if (listed != state.State.Listed && await TryIndexAsync(listed))
        {
            state.State.Listed = listed;
        }

        await state.WriteStateAsync();
    }

    async Task<bool> TryIndexAsync(bool listed)
    {
        try
        {
            await index.SetListedAsync(Destination, listed, CancellationToken.None);
            return true;
        }
        catch (Exception ex)
        {
            LogIndexFailed(logger, ex, Destination);
            return false;
        }
    }

    [LoggerMessage(EventId = 3001, EventName = "DestinationBackoff", Level = LogLevel.Information,
        Message = "Destination {Destination} backed off until {Until}: {Reason}")]
    static partial void LogBackoff(ILogger logger, string destination, DateTimeOffset until, string reason);

    [LoggerMessage(EventId = 3003, EventName = "DestinationIndexFailed", Level = LogLevel.Warning,
        Message = "Destination {Destination}: the destination index could not be updated; the next change of state tries again")]
    static partial void LogIndexFailed(ILogger logger, Exception exception, string destination);

    [LoggerMessage(EventId = 3002, EventName = "RetriesReleased", Level = LogLevel.Debug,
        Message = "Destination {Destination}: {Count} deferred work items released for another attempt")]
    static partial void LogReleased(ILogger logger, string destination, int count);
}
