using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Core.Telemetry;
using Sendarix.Delivery.Signing;
using Sendarix.Delivery.Transport;
using Sendarix.Storage.Acceptance;
using Sendarix.Storage.Bodies;
using Sendarix.Storage.Queue;
using Sendarix.Storage.Telemetry;

namespace Sendarix.Delivery.Worker;

/// <summary>
/// Consumes the delivery queue: takes work messages (as many as there are free slots), keeps only the work whose
/// acceptance was confirmed, loads and signs the bodies, and for each recipient group (one item, one destination
/// domain) has the planner decide what it can and the dispatcher send the rest; then the outcome recorder stores
/// it all. A queue message is deleted only after that, so a crash repeats attempts (at-least-once) but never loses
/// a recipient. While a message is worked on, its lease keeps it from other readers (<see cref="WorkLease"/>).
/// </summary>
internal sealed partial class WorkConsumer(
    WorkQueue queue,
    AcceptanceConfirmation confirmation,
    BodyStore bodies,
    DkimSigning dkim,
    DeliveryPlanner planner,
    Dispatcher dispatcher,
    OutcomeRecorder recorder,
    Storage.Held.HeldMailStore held,
    IOptions<Core.Retry.RetryOptions> retry,
    Reports.StatusNotifier notifier,
    IServiceProvider services,
    IOptions<DeliveryOptions> options,
    TimeProvider time,
    ILogger<WorkConsumer> logger) : BackgroundService
{
    const int ReceiveBatch = 32;

    readonly SemaphoreSlim _inFlight = new(InFlightSlots(options.Value));
    readonly int _inFlightSlots = InFlightSlots(options.Value);

    // How long a stopping worker lets work already taken finish before the connection pool closes under it.
    static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var pool = ActivatorUtilities.CreateInstance<ConnectionPool>(services);
        var transport = ActivatorUtilities.CreateInstance<SmtpTransport>(services, pool);
        var readers = Enumerable.Range(0, options.Value.QueueReaders).Select(_ => ReadAsync(transport, stoppingToken)).ToList();
        readers.Add(SweepAsync(pool, stoppingToken));
        try
        {
            await Task.WhenAll(readers);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Work in progress stops at its next cancellation point and gives its slot back; wait for that before the
        // pool is disposed, so no connection is returned to a closed pool (its lease would linger until it expires).
        using var drain = new CancellationTokenSource(DrainTimeout);
        try
        {
            for (var taken = 0; taken < _inFlightSlots; taken++)
            {
                await _inFlight.WaitAsync(drain.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // Work messages held at once: enough to keep the attempts busy, few enough that a crash repeats little and that a
    // silo does not sit on work (waiting for a throttled provider) that another silo could be starting.
    static int InFlightSlots(DeliveryOptions o) => Math.Max(1, o.MaxConcurrentDeliveries / 2);

    async Task SweepAsync(ConnectionPool pool, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.IdleConnectionTimeout / 2 < TimeSpan.FromSeconds(1) ? options.Value.IdleConnectionTimeout / 2 : TimeSpan.FromSeconds(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            pool.Sweep();
        }
    }

    async Task ReadAsync(SmtpTransport transport, CancellationToken stoppingToken)
    {
        var idlePolls = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            await _inFlight.WaitAsync(stoppingToken);
            var slots = 1;
            while (slots < ReceiveBatch && _inFlight.Wait(0))
            {
                slots++;
            }

            IReadOnlyList<WorkMessage> messages;
            try
            {
                messages = await queue.ReceiveAsync(slots, options.Value.QueueVisibilityTimeout, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                _inFlight.Release(slots);
                LogQueueUnavailable(logger, ex);
                await Task.Delay(options.Value.MaxPollInterval, time, stoppingToken);
                continue;
            }
            catch (OperationCanceledException)
            {
                // Stopping: give the slots back, so the drain at shutdown does not wait for work that was never taken.
                _inFlight.Release(slots);
                throw;
            }

            if (slots > messages.Count)
            {
                _inFlight.Release(slots - messages.Count);
            }

            if (messages.Count == 0)
            {
                // Poll an empty queue less and less often, up to the configured interval.
                var pause = TimeSpan.FromMilliseconds(Math.Min(options.Value.MaxPollInterval.TotalMilliseconds, 20 << Math.Min(idlePolls++, 10)));
                await Task.Delay(pause, time, stoppingToken);
                continue;
            }

            idlePolls = 0;
            foreach (var message in messages)
            {
                _ = message.Unreadable is null ? ProcessAsync(transport, message, stoppingToken) : ParkAsync(message, stoppingToken);
            }
        }
    }

    async Task ProcessAsync(SmtpTransport transport, WorkMessage message, CancellationToken stoppingToken)
    {
        await using var lease = WorkLease.Hold(queue, message, options.Value.QueueVisibilityTimeout, time, logger);
        GroupOutcome[]? outcomes = null;
        var completed = false;
        try
        {
            var items = await confirmation.ConfirmedAsync(message, stoppingToken);
            if (items.Count < message.Items.Count)
            {
                LogUnconfirmedDropped(logger, message.Items.Count - items.Count, message.Id);
            }

            // Spam held at acceptance goes to the hold, not to delivery: its row is written before its held event.
            var holding = items.Where(i => i.Held == true).ToList();
            if (holding.Count > 0)
            {
                items = [.. items.Where(i => i.Held != true)];
                await held.AddAsync([.. holding.Select(i => new Storage.Held.HeldMessage(i with { Recipients = [.. i.Recipients.Select(r => r with { Sequence = 1 })] },
                    time.GetUtcNow(), i.AcceptedAt + retry.Value.MaxLifetime))], stoppingToken);
            }

            var content = await LoadBodiesAsync(items, stoppingToken);
            foreach (var item in items)
            {
                content[item] = await dkim.SignAsync(item.TenantId, content[item], stoppingToken);
            }

            outcomes = await Task.WhenAll(items.SelectMany(item => item.Recipients.GroupBy(r => DomainOf(r.Address))
                .Select(g => DeliverAsync(transport, item, g.Key, g.ToList(), content[item], stoppingToken))));
            await recorder.RecordAsync([.. items, .. holding], outcomes, holding);
            await lease.CompleteAsync();
            completed = true;
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Left in the queue: no longer extended, it becomes visible again within the visibility timeout and is retried.
            LogWorkFailed(logger, ex, message.Id);
        }
        catch (Exception)
        {
            // Stopping before the work was done: another node (or this one, restarted) takes it up now. Whatever was
            // thrown: a stopping silo can fail a grain call, or close a connection, before the cancellation is seen.
            await lease.ReleaseAsync();
        }
        finally
        {
            _inFlight.Release();
            EndSpans(outcomes, completed);
        }
    }

    /// <summary>A work message that is not a list of work items (damaged, or not ours) is moved aside, never retried.</summary>
    async Task ParkAsync(WorkMessage message, CancellationToken stoppingToken)
    {
        try
        {
            await queue.ParkAsync(message, stoppingToken);
            LogParked(logger, message.Id, message.Unreadable!.ToMemory().Length);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Still in the queue: it shows again within the visibility timeout and is parked then.
            LogWorkFailed(logger, ex, message.Id);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _inFlight.Release();
        }
    }

    async Task<GroupOutcome> DeliverAsync(SmtpTransport transport, DeliveryWorkItem item, string domain, List<WorkRecipient> recipients, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        // The round's span stays open until its outcomes are recorded (EndSpans); grain calls made meanwhile are its children.
        var span = StartSpan(item, domain, recipients);
        try
        {
            var plan = await planner.PlanAsync(item, domain, recipients, cancellationToken);
            var outcome = plan.Send is { } send
                ? plan.Decided with { Decisions = [.. plan.Decided.Decisions, .. await SendAsync(transport, item, domain, send, body, cancellationToken)] }
                : plan.Decided;

            // Before the outcomes are recorded: once an event says a recipient failed, its notification is stored.
            await notifier.NotifyAsync(outcome, body, cancellationToken);
            return span is null ? outcome : outcome with { Span = span };
        }
        catch (Exception ex) when (span is not null)
        {
            span.SetStatus(ActivityStatusCode.Error, ex.Message);
            span.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends as planned; when the plan's upstream route could not take the mail and falls back to direct delivery, the
    /// recipients go to their own MX hosts in the same round, as the next endpoint of a pool would take them.
    /// </summary>
    async Task<IReadOnlyList<Decision>> SendAsync(SmtpTransport transport, DeliveryWorkItem item, string domain, SendPlan send, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var sent = await dispatcher.SendAsync(transport, item, send, body, cancellationToken);
        if (!sent.UpstreamDown || send.Resolution.Upstream is not { Settings.FallbackToDirect: true } upstream)
        {
            return sent.Decisions;
        }

        LogFellBackToDirect(logger, item.TenantId, upstream.Name, domain, sent.Decisions[0].Reply.ToString());
        var direct = await planner.PlanDirectAsync(item, domain, send.Recipients, cancellationToken);
        return direct.Send is { } again
            ? [.. direct.Decided.Decisions, .. (await dispatcher.SendAsync(transport, item, again, body, cancellationToken)).Decisions]
            : direct.Decided.Decisions;
    }

    /// <summary>
    /// A span for one item's round at one destination, in the trace its work item names: the acceptance's for a first
    /// round, the deferring round's for recipients back from the retry table. Null when traces are not collected.
    /// </summary>
    static Activity? StartSpan(DeliveryWorkItem item, string domain, List<WorkRecipient> recipients)
    {
        if (!RelayTracing.Source.HasListeners())
        {
            return null;
        }

        var retry = recipients.Exists(r => r.Sequence > 0);
        var span = RelayTracing.Source.StartActivity(retry ? TraceNames.DeliveryRetry : TraceNames.DeliveryAttempt, ActivityKind.Internal, RelayTracing.Parent(item.TraceParent));
        span?.SetTag(TraceNames.Tags.Tenant, item.TenantId);
        span?.SetTag(TraceNames.Tags.MessageId, item.MessageId);
        span?.SetTag(TraceNames.Tags.Destination, domain);
        span?.SetTag(TraceNames.Tags.Recipients, recipients.Count);
        span?.SetTag(TraceNames.Tags.Attempt, recipients.Max(r => r.Attempts) + 1);
        return span;
    }

    /// <summary>Ends the rounds' spans once their outcomes are recorded (or the work failed), each tagged with what became of its recipients.</summary>
    static void EndSpans(GroupOutcome[]? outcomes, bool completed)
    {
        foreach (var outcome in outcomes ?? [])
        {
            if (outcome.Span is not { } span)
            {
                continue;
            }

            // One word when every recipient had the same outcome, else each outcome once ("delivered,deferred").
            span.SetTag(TraceNames.Tags.Outcome, string.Join(',', outcome.Decisions.Select(d => d.Disposition.Kind.ToString().ToLowerInvariant()).Distinct()));
            if (!completed)
            {
                span.SetStatus(ActivityStatusCode.Error, "the work was not completed; it is taken again from the queue");
            }

            span.Dispose();
        }
    }

    async Task<Dictionary<DeliveryWorkItem, ReadOnlyMemory<byte>>> LoadBodiesAsync(IReadOnlyList<DeliveryWorkItem> items, CancellationToken cancellationToken)
    {
        // Items from one acceptance batch share a blob: read the range that covers them once.
        var result = new Dictionary<DeliveryWorkItem, ReadOnlyMemory<byte>>(ReferenceEqualityComparer.Instance);
        foreach (var blob in items.GroupBy(i => i.Blob))
        {
            var start = blob.Min(i => i.Offset);
            var end = blob.Max(i => i.Offset + i.Length);
            var content = await bodies.ReadAsync(blob.Key, start, checked((int)(end - start)), cancellationToken);
            foreach (var item in blob)
            {
                result[item] = content.Slice((int)(item.Offset - start), item.Length);
            }
        }

        return result;
    }

    static string DomainOf(string address) => address[(address.LastIndexOf('@') + 1)..].ToLowerInvariant();

    [LoggerMessage(EventId = 3010, EventName = "UnconfirmedWorkDropped", Level = LogLevel.Warning,
        Message = "{Count} message(s) in queue message {QueueMessageId} were never confirmed to their senders (they got 451) and are not delivered")]
    static partial void LogUnconfirmedDropped(ILogger logger, int count, string queueMessageId);

    [LoggerMessage(EventId = 4102, EventName = "WorkFailed", Level = LogLevel.Warning,
        Message = "Work message {QueueMessageId} could not be completed; it will be retried within the visibility timeout")]
    static partial void LogWorkFailed(ILogger logger, Exception exception, string queueMessageId);

    [LoggerMessage(EventId = 4108, EventName = "WorkParked", Level = LogLevel.Error,
        Message = "Queue message {QueueMessageId} ({Bytes} bytes) is not delivery work; it was moved to the parked queue for an operator")]
    static partial void LogParked(ILogger logger, string queueMessageId, int bytes);

    [LoggerMessage(EventId = 4109, EventName = "UpstreamFellBackToDirect", Level = LogLevel.Warning,
        Message = "Tenant {TenantId}'s upstream route {Route} could not take mail for {Domain} ({Reason}); sending it direct")]
    static partial void LogFellBackToDirect(ILogger logger, string tenantId, string route, string domain, string reason);

    [LoggerMessage(EventId = 4103, EventName = "QueueUnavailable", Level = LogLevel.Warning,
        Message = "The delivery queue could not be read")]
    static partial void LogQueueUnavailable(ILogger logger, Exception exception);
}
