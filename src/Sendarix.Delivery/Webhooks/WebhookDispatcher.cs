using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Contracts.Webhooks;
using Sendarix.Core.Events;
using Sendarix.Core.Telemetry;
using Sendarix.Core.Webhooks;
using Sendarix.Storage.Telemetry;
using Sendarix.Storage.Webhooks;

namespace Sendarix.Delivery.Webhooks;

/// <summary>
/// Posts queued webhook deliveries to their endpoints, signed. Each endpoint's share of a delivery is sent on its own
/// and settled on its own: delivered, to be tried again (with one more attempt, when the schedule says), or ended
/// (given up, or 410 Gone, which disables the endpoint); the queue message is then deleted, or keeps what is left.
/// A batching endpoint gets its share in one request; any other gets the events one request each, as many at once as
/// the endpoint may have, until one fails. Each endpoint may hold only so many requests, so a slow or dead endpoint's
/// share waits in the queue rather than in front of anyone else's.
/// </summary>
internal sealed partial class WebhookDispatcher(
    WebhookQueue queue,
    WebhookAttemptLog attemptLog,
    WebhookEndpointCache endpoints,
    WebhookSender sender,
    WebhookHealth health,
    IOptions<WebhookOptions> rules,
    IOptions<WebhookSenderOptions> senderOptions,
    IOptions<WebhookDispatchOptions> options,
    RelayMetrics metrics,
    TimeProvider time,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    const int ReceiveBatch = 32;

    // A share whose endpoint has no free request waits this long for one; if none comes, the share is looked at again
    // this much later (the queue's shortest wait).
    static readonly TimeSpan BusyEndpointDelay = TimeSpan.FromSeconds(1);

    // Delivered requests are written to the attempt log once a second, merged: a busy endpoint costs one table
    // transaction a second rather than one a request. Failures are written at once.
    static readonly TimeSpan SuccessFlushInterval = TimeSpan.FromSeconds(1);

    readonly ConcurrentQueue<(string TenantId, string EndpointId, WebhookAttempt Attempt)> _delivered = new();
    readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentRequests);
    readonly SemaphoreSlim _requests = new(options.Value.MaxConcurrentRequests);
    readonly ConcurrentDictionary<string, EndpointGate> _gates = new(StringComparer.Ordinal);

    // A taken delivery stays invisible this long: far longer than its requests may take (see Budget), so it is never
    // taken twice while it is being sent, and soon enough after a crash.
    TimeSpan Visibility => senderOptions.Value.Timeout * 4 + TimeSpan.FromSeconds(10);

    // Requests stop being started after this long; what is left goes back to the queue at once, attempts unchanged.
    TimeSpan Budget => senderOptions.Value.Timeout * 2;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var flushing = FlushLoopAsync(stoppingToken);
        await DispatchAsync(stoppingToken);
        await flushing;
        await FlushAsync();
    }

    async Task FlushLoopAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SuccessFlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    async Task FlushAsync()
    {
        var taken = new List<(string TenantId, string EndpointId, WebhookAttempt Attempt)>();
        while (_delivered.TryDequeue(out var row))
        {
            taken.Add(row);
        }

        foreach (var endpoint in taken.GroupBy(t => (t.TenantId, t.EndpointId)))
        {
            var rows = endpoint.GroupBy(t => (t.Attempt.Attempt, t.Attempt.Replay))
                .SelectMany(g => Merge(g.Select(t => t.Attempt)))
                .ToList();
            try
            {
                await attemptLog.AppendAsync(endpoint.Key.TenantId, endpoint.Key.EndpointId, rows, CancellationToken.None);
            }
            catch (Exception ex)
            {
                // Only the record of requests that went through is lost; the events are delivered.
                LogAttemptsNotRecorded(logger, ex, rows.Count, endpoint.Key.EndpointId);
            }
        }
    }

    // Requests of the same attempt number that all went through, as few rows as hold at most 100 events each (as a request does).
    static IEnumerable<WebhookAttempt> Merge(IEnumerable<WebhookAttempt> attempts)
    {
        var group = new List<WebhookAttempt>();
        var events = 0;
        foreach (var attempt in attempts)
        {
            if (group.Count > 0 && events + attempt.EventIds.Count > WebhookQueue.MaxEventsPerDelivery)
            {
                yield return Merged(group);
                group = [];
                events = 0;
            }

            group.Add(attempt);
            events += attempt.EventIds.Count;
        }

        if (group.Count > 0)
        {
            yield return Merged(group);
        }
    }

    static WebhookAttempt Merged(List<WebhookAttempt> group) => group.Count == 1 ? group[0] : group[^1] with
    {
        EventIds = group.SelectMany(a => a.EventIds).ToList(),
        Latency = TimeSpan.FromTicks((long)group.Average(a => a.Latency.Ticks)),
    };

    async Task DispatchAsync(CancellationToken stoppingToken)
    {
        var idlePolls = 0;
        var running = new ConcurrentDictionary<Task, bool>();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _slots.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            var slots = 1;
            while (slots < ReceiveBatch && _slots.Wait(0))
            {
                slots++;
            }

            var written = queue.NextWrite;
            IReadOnlyList<WebhookDeliveryMessage> messages;
            try
            {
                messages = await queue.ReceiveAsync(slots, Visibility, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                _slots.Release(slots);
                LogQueueUnavailable(logger, ex);
                await Task.Delay(options.Value.MaxPollInterval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }
            catch (OperationCanceledException)
            {
                _slots.Release(slots);
                break;
            }

            if (slots > messages.Count)
            {
                _slots.Release(slots - messages.Count);
            }

            foreach (var message in messages)
            {
                var task = ProcessAsync(message, stoppingToken);
                running[task] = true;
                _ = task.ContinueWith(t => running.TryRemove(t, out _), TaskScheduler.Default);
            }

            // A full batch may have more behind it. Otherwise the queue is drained: the next read waits for this
            // process's next write, or for a pause that grows while reads find nothing (others' writes, retries).
            if (messages.Count == slots)
            {
                idlePolls = 0;
                continue;
            }

            idlePolls = messages.Count > 0 ? 0 : idlePolls + 1;
            using var pause = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            await Task.WhenAny(written, Task.Delay(WebhookPolling.Pause(idlePolls, options.Value.MaxPollInterval), time, pause.Token));
            await pause.CancelAsync();
        }

        // Let requests under way finish (each is bounded by the time-out); what they did not settle shows again later.
        await Task.WhenAll(running.Keys);
    }

    async Task ProcessAsync(WebhookDeliveryMessage message, CancellationToken stoppingToken)
    {
        try
        {
            // Each endpoint's share goes its own way at once: one endpoint's slow answers never hold up another's.
            var d = message.Delivery;
            var leftovers = await Task.WhenAll(d.Shares().Select(share => DeliverAsync(d, share, stoppingToken)));
            await queue.SettleAsync(message, leftovers.OfType<WebhookLeftover>().ToList(), CancellationToken.None);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Left in the queue: it shows again after the visibility timeout, attempts unchanged.
            LogDeliveryFailed(logger, ex, message.Id);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>Sends one endpoint's share of a delivery: what is left of it afterwards, or null when nothing is.</summary>
    async Task<WebhookLeftover?> DeliverAsync(WebhookDelivery d, WebhookShare share, CancellationToken stoppingToken)
    {
        try
        {
            var endpoint = await endpoints.GetAsync(d.TenantId, share.EndpointId);
            if (endpoint is null || !endpoint.Enabled)
            {
                // Deleted or disabled since the events were routed: they go nowhere (a replay can send them later).
                if (endpoint is not null)
                {
                    await attemptLog.AppendAsync(d.TenantId, share.EndpointId,
                        [new WebhookAttempt(time.GetUtcNow(), share.Attempts, share.Events.Select(e => e.Id).ToList(), null, TimeSpan.Zero, "Not sent: the endpoint is disabled.", null, d.Replay)],
                        CancellationToken.None);
                }

                return null;
            }

            if (await endpoints.SecretsAsync(d.TenantId, share.EndpointId) is not { Count: > 0 } secrets)
            {
                return null;
            }

            return await SettleAsync(d, share, endpoint, await SendAsync(d, endpoint, GateOf($"{d.TenantId}/{share.EndpointId}"), share, secrets, stoppingToken));
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // This share shows again after the visibility timeout, attempts unchanged; the other endpoints' go on.
            LogDeliveryFailed(logger, ex, share.EndpointId);
            return new WebhookLeftover(share, Visibility);
        }
    }

    /// <summary>
    /// Sends a share's events: a batching endpoint's in one request, any other's one request each, as many at once as
    /// the endpoint has free requests. New requests stop at the first failure, when the endpoint has no free request
    /// and none of this share's is under way, or after the budget; the round says what went, what failed, and what was
    /// not tried.
    /// </summary>
    async Task<Round> SendAsync(WebhookDelivery d, WebhookEndpoint endpoint, EndpointGate gate, WebhookShare share, IReadOnlyList<string> secrets, CancellationToken cancellationToken)
    {
        var events = share.Events;
        if (endpoint.Batch)
        {
            if (!gate.TryEnter() && !await gate.EnterAsync(BusyEndpointDelay, cancellationToken))
            {
                return new Round(events, new WebhookAttemptResult?[events.Count], Busy: true);
            }

            var body = JsonSerializer.SerializeToUtf8Bytes(events.Select(EventEnvelope.Of).ToList(), WebhookJson.Default.ListEventEnvelope);
            var result = await RequestAsync(gate, WebhookRequest.Signed(endpoint.Url, EventIds.ForBatch(events.Select(e => e.Id)), time.GetUtcNow(), body, secrets),
                new Carried(d, share, 0, events.Count), cancellationToken);
            return new Round(events, [.. events.Select(_ => result)], Busy: false);
        }

        var started = Stopwatch.GetTimestamp();
        var results = new WebhookAttemptResult?[events.Count];
        var running = new List<Task<(int Index, WebhookAttemptResult Result)>>();
        var failed = false;
        var busy = false;
        for (var i = 0; i < events.Count && !failed && Stopwatch.GetElapsedTime(started) <= Budget;)
        {
            if (!gate.TryEnter())
            {
                // This share's own requests free the endpoint's first; with none under way it waits its turn.
                if (running.Count > 0)
                {
                    Done(await Task.WhenAny(running));
                    continue;
                }

                if (!await gate.EnterAsync(BusyEndpointDelay, cancellationToken))
                {
                    busy = true;
                    break;
                }
            }

            var e = events[i];
            var body = JsonSerializer.SerializeToUtf8Bytes(EventEnvelope.Of(e), WebhookJson.Default.EventEnvelope);
            running.Add(IndexedAsync(i, RequestAsync(gate, WebhookRequest.Signed(endpoint.Url, e.Id, time.GetUtcNow(), body, secrets), new Carried(d, share, i, 1), cancellationToken)));
            i++;
            foreach (var finished in running.Where(t => t.IsCompleted).ToList())
            {
                Done(finished);
            }
        }

        foreach (var rest in running.ToList())
        {
            await rest;
            Done(rest);
        }

        return new Round(events, results, busy);

        void Done(Task<(int Index, WebhookAttemptResult Result)> task)
        {
            running.Remove(task);
            var (index, result) = task.Result;
            results[index] = result;
            failed |= !result.Delivered;
        }

        static async Task<(int, WebhookAttemptResult)> IndexedAsync(int index, Task<WebhookAttemptResult> request) => (index, await request);
    }

    /// <summary>
    /// One request, holding one of the endpoint's requests (taken by the caller) and one of the process's, for the
    /// events <paramref name="carried"/> names: its span, and their lag once the endpoint acknowledged them.
    /// </summary>
    async Task<WebhookAttemptResult> RequestAsync(EndpointGate gate, WebhookRequest request, Carried carried, CancellationToken cancellationToken)
    {
        using var span = StartSpan(carried);
        try
        {
            await _requests.WaitAsync(cancellationToken);
            WebhookAttemptResult result;
            try
            {
                result = await sender.SendAsync(request, cancellationToken);
            }
            finally
            {
                _requests.Release();
            }

            if (result.Delivered && !carried.Delivery.Replay)
            {
                metrics.WebhookAcknowledged(carried.Delivery.TenantId, carried.Share.Events, carried.First, carried.Count, time.GetUtcNow());
            }

            if (span is not null)
            {
                span.SetTag(TraceNames.Tags.HttpStatus, result.StatusCode);
                span.SetTag(TraceNames.Tags.Outcome, result.Delivered ? "delivered" : result.Failure.ToString().ToLowerInvariant());
                if (!result.Delivered)
                {
                    span.SetStatus(ActivityStatusCode.Error, result.Error);
                }
            }

            return result;
        }
        finally
        {
            gate.Exit();
        }
    }

    /// <summary>
    /// A request's span: a child of the span that recorded its event when it carries one, or, for a batch, linked to
    /// those of its events. Null when traces are not collected.
    /// </summary>
    static Activity? StartSpan(Carried carried)
    {
        if (!RelayTracing.Source.HasListeners())
        {
            return null;
        }

        var events = carried.Share.Events;
        var parent = carried.Count == 1 ? RelayTracing.Parent(events[carried.First].TraceParent) : default;
        List<ActivityLink>? links = null;
        if (carried.Count > 1)
        {
            links = [.. events.Skip(carried.First).Take(carried.Count).Select(e => e.TraceParent).OfType<string>().Distinct(StringComparer.Ordinal)
                .Select(t => RelayTracing.Parent(t)).Where(c => c.TraceId != default).Select(c => new ActivityLink(c))];
        }

        var span = RelayTracing.Source.StartActivity(TraceNames.WebhookSend, ActivityKind.Client, parent, links: links);
        span?.SetTag(TraceNames.Tags.Tenant, carried.Delivery.TenantId);
        span?.SetTag(TraceNames.Tags.EndpointId, carried.Share.EndpointId);
        span?.SetTag(TraceNames.Tags.Events, carried.Count);
        span?.SetTag(TraceNames.Tags.Attempt, carried.Share.Attempts + 1);
        if (carried.Count == 1 && events[carried.First].Message is { } message)
        {
            span?.SetTag(TraceNames.Tags.MessageId, message.MessageId);
        }

        return span;
    }

    /// <summary>The events a request carries: <paramref name="Count"/> of the share's from <paramref name="First"/>.</summary>
    readonly record struct Carried(WebhookDelivery Delivery, WebhookShare Share, int First, int Count);

    /// <summary>Records an endpoint's round and decides what is left of its share: retried on the schedule, not tried yet, or nothing.</summary>
    async Task<WebhookLeftover?> SettleAsync(WebhookDelivery d, WebhookShare share, WebhookEndpoint endpoint, Round round)
    {
        var now = time.GetUtcNow();
        var attempt = share.Attempts + 1;
        if (round.Sent.Count > 0)
        {
            var latency = TimeSpan.FromTicks((long)round.Delivered.Average(r => r.Latency.Ticks));
            _delivered.Enqueue((d.TenantId, share.EndpointId, new WebhookAttempt(now, attempt, round.Sent.Select(e => e.Id).ToList(), round.Delivered[^1].StatusCode, latency, null, null, d.Replay)));
        }

        if (round.Failure is { } failure)
        {
            var decision = rules.Value.Schedule.AfterAttempt(attempt, failure.StatusCode, failure.RetryAfter, now);
            await attemptLog.AppendAsync(d.TenantId, share.EndpointId,
                [new WebhookAttempt(now, attempt, round.FailedIds, failure.StatusCode, failure.Latency, failure.Error ?? $"HTTP {failure.StatusCode}", decision.NextAttemptAt, d.Replay)],
                CancellationToken.None);
            await health.ReportAsync(d.TenantId, share.EndpointId, delivered: false);
            switch (decision.Outcome)
            {
                case WebhookAttemptOutcome.Retry:
                    return new WebhookLeftover(share with { Attempts = attempt, Events = round.Left }, decision.NextAttemptAt!.Value - now);
                case WebhookAttemptOutcome.Gone:
                    LogGone(logger, share.EndpointId, d.TenantId);
                    await health.GoneAsync(d.TenantId, share.EndpointId, endpoint.Url);
                    return null;
                default:
                    LogGaveUp(logger, round.Left.Count, share.EndpointId, d.TenantId, attempt);
                    return null;
            }
        }

        if (round.Sent.Count > 0)
        {
            await health.ReportAsync(d.TenantId, share.EndpointId, delivered: true);
        }

        // Not tried: at once when the budget ran out, a moment later when the endpoint had no free request.
        return round.Left.Count > 0 ? new WebhookLeftover(share with { Events = round.Left }, round.Busy ? BusyEndpointDelay : TimeSpan.Zero) : null;
    }

    EndpointGate GateOf(string key) => _gates.GetOrAdd(key, _ => new EndpointGate(options.Value.MaxConcurrentPerEndpoint));

    /// <summary>
    /// What one pass over a share did: each event's result, or none when it was not tried (the budget ran out, or the
    /// endpoint was <paramref name="Busy"/>).
    /// </summary>
    sealed record Round(IReadOnlyList<RelayEvent> Events, IReadOnlyList<WebhookAttemptResult?> Results, bool Busy)
    {
        public IReadOnlyList<RelayEvent> Sent => [.. Events.Where((_, i) => Results[i] is { Delivered: true })];

        public IReadOnlyList<WebhookAttemptResult> Delivered => [.. Results.OfType<WebhookAttemptResult>().Where(r => r.Delivered)];

        /// <summary>The first failure in the events' order: it decides the retry.</summary>
        public WebhookAttemptResult? Failure => Results.FirstOrDefault(r => r is { Delivered: false });

        /// <summary>What is still owed: the events that failed and those not tried, in order.</summary>
        public IReadOnlyList<RelayEvent> Left => [.. Events.Where((_, i) => Results[i] is not { Delivered: true })];

        public IReadOnlyList<string> FailedIds => [.. Events.Where((_, i) => Results[i] is { Delivered: false }).Select(e => e.Id)];
    }

    [LoggerMessage(EventId = 5105, EventName = "WebhookAttemptsNotRecorded", Level = LogLevel.Warning,
        Message = "{Count} delivered webhook request(s) to endpoint {EndpointId} could not be recorded in its attempt log")]
    static partial void LogAttemptsNotRecorded(ILogger logger, Exception exception, int count, string endpointId);

    [LoggerMessage(EventId = 5101, EventName = "WebhookQueueUnavailable", Level = LogLevel.Warning, Message = "The webhook queue could not be read")]
    static partial void LogQueueUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5102, EventName = "WebhookDeliveryFailed", Level = LogLevel.Warning,
        Message = "Webhook delivery {Delivery} could not be completed; it will be taken again after the visibility timeout")]
    static partial void LogDeliveryFailed(ILogger logger, Exception exception, string delivery);

    [LoggerMessage(EventId = 5103, EventName = "WebhookEndpointGone", Level = LogLevel.Information,
        Message = "Webhook endpoint {EndpointId} of tenant {TenantId} answered 410 Gone and is disabled")]
    static partial void LogGone(ILogger logger, string endpointId, string tenantId);

    [LoggerMessage(EventId = 5104, EventName = "WebhookGaveUp", Level = LogLevel.Information,
        Message = "{Count} event(s) for webhook endpoint {EndpointId} of tenant {TenantId} are given up after {Attempts} attempts")]
    static partial void LogGaveUp(ILogger logger, int count, string endpointId, string tenantId, int attempts);
}
