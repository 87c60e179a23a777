using Azure;
using Microsoft.Extensions.Logging;
using Sendarix.Storage.Queue;

namespace Sendarix.Delivery.Worker;

/// <summary>
/// Holds a received work message while this node works on it: its visibility timeout is short, and the lease extends
/// it every third of the timeout until the work is completed (the message deleted) or given up. A node that dies
/// stops extending, so its work shows to the other readers (or to itself after a restart) within one timeout, however
/// long the work would have taken.
/// </summary>
internal sealed partial class WorkLease : IAsyncDisposable
{
    readonly WorkQueue _queue;
    readonly WorkMessage _message;
    readonly TimeSpan _visibility;
    readonly ILogger _logger;
    readonly CancellationTokenSource _stop = new();
    readonly Task _renewing;
    string _popReceipt;

    WorkLease(WorkQueue queue, WorkMessage message, TimeSpan visibility, TimeProvider time, ILogger logger)
    {
        (_queue, _message, _visibility, _logger, _popReceipt) = (queue, message, visibility, logger, message.PopReceipt);
        _renewing = RenewAsync(time);
    }

    /// <summary>Starts holding a message just received with <paramref name="visibility"/>.</summary>
    public static WorkLease Hold(WorkQueue queue, WorkMessage message, TimeSpan visibility, TimeProvider time, ILogger logger) =>
        new(queue, message, visibility, time, logger);

    /// <summary>How often a held message's visibility is extended: a third of it, so one failed extension is not yet a lost lease.</summary>
    public static TimeSpan RenewalInterval(TimeSpan visibility) => visibility / 3;

    /// <summary>The work is done: stops extending and deletes the message.</summary>
    public async Task CompleteAsync()
    {
        await StopAsync();
        await _queue.DeleteAsync(_message.Id, _popReceipt, CancellationToken.None);
    }

    /// <summary>Gives the work back (a stopping node): stops extending and shows the message to other readers now.</summary>
    public async Task ReleaseAsync()
    {
        await StopAsync();
        try
        {
            _popReceipt = await _queue.ExtendAsync(_message.Id, _popReceipt, TimeSpan.Zero, CancellationToken.None);
        }
        catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or TimeoutException)
        {
            // It shows when its visibility ends instead.
            LogReleaseFailed(_logger, ex, _message.Id);
        }
    }

    /// <summary>Stops extending; a message not completed shows again when its visibility ends.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _renewing;
    }

    async Task RenewAsync(TimeProvider time)
    {
        using var timer = new PeriodicTimer(RenewalInterval(_visibility), time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                // Never cancelled half-way: an extension that storage made but this node did not see would leave the
                // node with a stale receipt, and the message could then not be deleted.
                try
                {
                    _popReceipt = await _queue.ExtendAsync(_message.Id, _popReceipt, _visibility, CancellationToken.None);
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    // Shown and taken by another reader (this node was held up longer than the timeout): its work will
                    // be repeated there, which at-least-once allows; the events keep their ids.
                    LogLeaseLost(_logger, _message.Id);
                    return;
                }
                catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or TimeoutException)
                {
                    // Storage is briefly unreachable: the next tick tries again while the visibility lasts.
                    LogExtensionFailed(_logger, ex, _message.Id);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = 4104, EventName = "WorkLeaseLost", Level = LogLevel.Warning,
        Message = "Work message {QueueMessageId} was held past its visibility timeout and shown to other readers; its work may be repeated")]
    static partial void LogLeaseLost(ILogger logger, string queueMessageId);

    [LoggerMessage(EventId = 4105, EventName = "WorkLeaseExtensionFailed", Level = LogLevel.Warning,
        Message = "The visibility of work message {QueueMessageId} could not be extended; trying again")]
    static partial void LogExtensionFailed(ILogger logger, Exception exception, string queueMessageId);

    [LoggerMessage(EventId = 4107, EventName = "WorkLeaseReleaseFailed", Level = LogLevel.Warning,
        Message = "Work message {QueueMessageId} could not be handed back; it shows to other readers when its visibility ends")]
    static partial void LogReleaseFailed(ILogger logger, Exception exception, string queueMessageId);
}
