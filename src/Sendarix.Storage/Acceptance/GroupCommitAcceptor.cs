using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Core.Telemetry;
using Sendarix.Storage.Bodies;
using Sendarix.Storage.Messages;
using Sendarix.Storage.Queue;
using Sendarix.Storage.Telemetry;

namespace Sendarix.Storage.Acceptance;

/// <summary>
/// Group commit: messages arriving together are made durable together, with one blob upload, one table
/// transaction per tenant and one queue message per batch instead of three storage round trips per message.
/// Up to <see cref="AcceptanceOptions.MaxCommitsInFlight"/> small batches are written at a time; while they are
/// written the next one fills, so batches grow with load by themselves. The body uploads while the rows and then the
/// queue message are written, so work is queued only for stored rows. If any write fails, every message in the batch
/// fails (the front-end answers 451) and whatever rows were written are removed. The work is queued hidden and shown once the senders have their 250, so work of a batch
/// that failed while its writes were still landing is checked before delivery (<see cref="AcceptanceConfirmation"/>).
/// </summary>
public sealed partial class GroupCommitAcceptor(
    BodyStore bodies,
    MessageLedger ledger,
    WorkQueue queue,
    RelayMetrics metrics,
    IOptions<AcceptanceOptions> options,
    TimeProvider time,
    ILogger<GroupCommitAcceptor> logger) : BackgroundService, IMessageAcceptor
{
    readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    public async Task AcceptAsync(AcceptedMessage message, CancellationToken cancellationToken)
    {
        var pending = new Pending(message, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var started = time.GetTimestamp();
        try
        {
            await _pending.Writer.WriteAsync(pending, cancellationToken);
            await pending.Done.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            metrics.AcceptanceWaited(time.GetElapsedTime(started));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        using var slots = new SemaphoreSlim(o.MaxCommitsInFlight);
        var running = new HashSet<Task>();
        Pending? carried = null;
        try
        {
            while (true)
            {
                // A batch forms only once a commit slot is free: while every slot is busy, messages gather for the
                // next batch, so batches grow with load by themselves.
                await slots.WaitAsync(stoppingToken);
                var batch = new List<Pending>(o.MaxBatchMessages);
                var first = carried ?? await _pending.Reader.ReadAsync(stoppingToken);
                carried = null;
                batch.Add(first);
                long bytes = first.Message.Body.Length;
                var deadline = time.GetTimestamp() + (long)(o.MaxBatchDelay.TotalSeconds * time.TimestampFrequency);
                while (batch.Count < o.MaxBatchMessages)
                {
                    if (!_pending.Reader.TryRead(out var next))
                    {
                        var wait = time.GetElapsedTime(time.GetTimestamp(), deadline);
                        if (wait <= TimeSpan.Zero || !await WaitToReadAsync(wait, stoppingToken))
                        {
                            break;
                        }

                        continue;
                    }

                    if (bytes + next.Message.Body.Length > o.MaxBatchBytes)
                    {
                        carried = next;
                        break;
                    }

                    batch.Add(next);
                    bytes += next.Message.Body.Length;
                }

                // A large batch means heavy load: it is written alone, so the batches after it stay large (two
                // at once would halve them and make storage busier). Small ones overlap, which shortens a 250.
                var permits = 1;
                if (batch.Count >= o.SoloBatchMessages)
                {
                    // Not cancelled on shutdown: the batch is formed and must be committed or failed; the commits in
                    // flight end within CommitTimeout and free their slots.
                    for (; permits < o.MaxCommitsInFlight; permits++)
                    {
                        await slots.WaitAsync(CancellationToken.None);
                    }
                }

                var commit = CommitAsync(batch, stoppingToken);
                lock (running)
                {
                    running.Add(commit);
                }

                _ = commit.ContinueWith(done =>
                {
                    lock (running)
                    {
                        running.Remove(done);
                    }

                    slots.Release(permits);
                }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            FailRemaining(carried);
        }
        finally
        {
            // Batches already handed to storage finish (or fail) before the acceptor is gone.
            Task[] left;
            lock (running)
            {
                left = [.. running];
            }

            await Task.WhenAll(left);
        }
    }

    async Task<bool> WaitToReadAsync(TimeSpan wait, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(wait);
        try
        {
            return await _pending.Reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    async Task CommitAsync(List<Pending> batch, CancellationToken stoppingToken)
    {
        // One blob per tenant in the batch (usually one), so that a tenant's bodies can be deleted with its retention.
        var now = time.GetUtcNow();
        var placed = new List<(AcceptedMessage, BodyRef)>(batch.Count);
        var blobs = new List<(string Name, byte[] Content)>();
        foreach (var tenant in batch.GroupBy(p => p.Message.Id.TenantId))
        {
            var blob = BodyStore.BlobName(tenant.Key, now);
            var content = new byte[tenant.Sum(p => p.Message.Body.Length)];
            var offset = 0;
            foreach (var p in tenant)
            {
                p.Message.Body.Span.CopyTo(content.AsSpan(offset));
                placed.Add((p.Message, new BodyRef(blob, offset, p.Message.Body.Length)));
                offset += p.Message.Body.Length;
            }

            blobs.Add((blob, content));
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        deadline.CancelAfter(options.Value.CommitTimeout);

        // The body upload runs beside the rows and then the work item: the work is queued only once the rows are
        // stored, so a batch that times out has either queued nothing or has rows that the removal below finds.
        // A work item whose body failed to upload belongs to a failed batch, whose rows are removed: never delivered.
        using var span = StartSpan(batch, blobs);
        var started = time.GetTimestamp();
        var upload = Task.WhenAll(blobs.Select(b => Timed(MetricNames.Tags.OperationBody, bodies.UploadAsync(b.Name, b.Content, deadline.Token))));
        var rows = Timed(MetricNames.Tags.OperationRows, ledger.WriteAcceptedAsync(placed, deadline.Token));
        var queued = QueueAfterAsync(rows, placed, deadline.Token);
        IReadOnlyList<Azure.Storage.Queues.Models.SendReceipt> work;
        try
        {
            await Task.WhenAll(upload, queued);
            work = await queued;
        }
        catch (Exception ex)
        {
            LogBatchFailed(logger, ex, batch.Count);
            span?.SetStatus(ActivityStatusCode.Error, ex.Message);
            if (!rows.IsFaulted)
            {
                // The rows are stored, or may still land: remove them, so that work which lands all the same is found
                // unconfirmed and never delivered. In the background: the next batch must not wait for this one.
                _ = RemoveRowsAsync(batch.ToList(), stoppingToken);
            }

            foreach (var p in batch)
            {
                p.Done.TrySetException(new StorageUnavailableException("The message could not be stored.", ex));
            }

            return;
        }

        foreach (var p in batch)
        {
            p.Done.TrySetResult();
        }

        metrics.Committed(batch.GroupBy(p => p.Message.Id.TenantId).Select(t => (t.Key, t.Count())), time.GetElapsedTime(started));
        _ = ReleaseAsync(work, batch.Count);
    }

    async Task<IReadOnlyList<Azure.Storage.Queues.Models.SendReceipt>> QueueAfterAsync(Task rows, List<(AcceptedMessage, BodyRef)> placed, CancellationToken cancellationToken)
    {
        await rows;
        var started = time.GetTimestamp();
        var work = await queue.SendAsync(placed.Select(x => ToWorkItem(x.Item1, x.Item2)).ToList(), cancellationToken, options.Value.UnconfirmedHold);
        metrics.StorageCall(MetricNames.Tags.OperationWork, time.GetElapsedTime(started));
        return work;
    }

    async Task Timed(string operation, Task call)
    {
        var started = time.GetTimestamp();
        await call;
        metrics.StorageCall(operation, time.GetElapsedTime(started));
    }

    // One batch carries many messages, each with a trace of its own: the batch's span links to their acceptance spans.
    static Activity? StartSpan(List<Pending> batch, List<(string Name, byte[] Content)> blobs)
    {
        if (!RelayTracing.Source.HasListeners())
        {
            return null;
        }

        var links = new List<ActivityLink>(batch.Count);
        foreach (var p in batch)
        {
            if (RelayTracing.Parent(p.Message.TraceParent) is { TraceId: var traceId } context && traceId != default)
            {
                links.Add(new ActivityLink(context));
            }
        }

        var span = RelayTracing.Source.StartActivity(TraceNames.CommitBatch, ActivityKind.Internal, default(ActivityContext), links: links);
        span?.SetTag(TraceNames.Tags.BatchSize, batch.Count);
        span?.SetTag(TraceNames.Tags.Bytes, blobs.Sum(b => (long)b.Content.Length));
        return span;
    }

    // Shows the work now. If this fails, the work shows when the hold ends and is checked against its rows then.
    async Task ReleaseAsync(IReadOnlyList<Azure.Storage.Queues.Models.SendReceipt> work, int count)
    {
        try
        {
            using var cts = new CancellationTokenSource(options.Value.CommitTimeout);
            await queue.ReleaseAsync(work, cts.Token);
        }
        catch (Exception ex)
        {
            LogReleaseFailed(logger, ex, count);
        }
    }

    // Until storage answers: rows that outlive the hold would let work that landed late be delivered after a 451.
    async Task RemoveRowsAsync(List<Pending> batch, CancellationToken stoppingToken)
    {
        var pause = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                cts.CancelAfter(options.Value.CommitTimeout);
                await ledger.RemoveAsync(batch.Select(p => p.Message), cts.Token);
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                if (attempt == 1)
                {
                    LogCleanupFailed(logger, ex, batch.Count);
                }

                await Task.Delay(pause, time, stoppingToken);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    void FailRemaining(Pending? carried)
    {
        carried?.Done.TrySetException(new StorageUnavailableException("The relay is shutting down.", null));
        while (_pending.Reader.TryRead(out var p))
        {
            p.Done.TrySetException(new StorageUnavailableException("The relay is shutting down.", null));
        }
    }

    static DeliveryWorkItem ToWorkItem(AcceptedMessage m, BodyRef body) => new(
        m.Id.TenantId, m.Id.ToString(), m.From, body.Blob, body.Offset, body.Length, m.AcceptedAt,
        m.Recipients.Select((r, i) => m.Dsn?.Recipients.ElementAtOrDefault(i) is { IsEmpty: false } dsn
            ? new WorkRecipient(i, r, 0, Notify: dsn.Notify == Core.Smtp.DsnNotify.Default ? null : dsn.Notify, OriginalRecipient: dsn.OriginalRecipient)
            : new WorkRecipient(i, r, 0)).ToList(), m.MessageIdHeader, m.Subject,
        m.Tags.Count > 0 ? m.Tags : null, m.Metadata.Count > 0 ? m.Metadata : null, m.TraceParent,
        m.Dsn?.EnvelopeId, m.Dsn?.Return is Core.Smtp.DsnReturn.Full or Core.Smtp.DsnReturn.Headers ? m.Dsn.Return : null,
        m.SmtpUtf8 ? true : null, m.Subtenant, m.SuppressionList == m.Id.TenantId ? null : m.SuppressionList,
        m.Spam, m.Held ? true : null);

    [LoggerMessage(EventId = 2001, EventName = "AcceptanceBatchFailed", Level = LogLevel.Warning,
        Message = "A batch of {Count} messages could not be stored; each sender gets a temporary failure")]
    static partial void LogBatchFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 2002, EventName = "AcceptanceCleanupFailed", Level = LogLevel.Warning,
        Message = "Rows of a failed batch of {Count} messages could not be removed yet; trying again until storage answers")]
    static partial void LogCleanupFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 2003, EventName = "AcceptanceReleaseFailed", Level = LogLevel.Warning,
        Message = "The work of an accepted batch of {Count} messages could not be shown at once; it shows when its hold ends")]
    static partial void LogReleaseFailed(ILogger logger, Exception exception, int count);

    sealed record Pending(AcceptedMessage Message, TaskCompletionSource Done);
}
