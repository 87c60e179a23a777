using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Contracts.Webhooks;
using Sendarix.Core.Events;
using Sendarix.Core.Webhooks;
using Sendarix.Storage.Webhooks;

namespace Sendarix.Delivery.Webhooks;

/// <summary>
/// Posts queued webhook deliveries to their endpoints, signed. Each endpoint's share of a delivery is sent on its own
/// and settled on its own: delivered, to be tried again (with one more attempt, when the schedule says), or ended
/// (given up, or 410 Gone, which disables the endpoint); the queue message is then deleted, or keeps what is left.
/// A batching endpoint gets its share in one request; any other gets the events one request each, in order, until
/// one fails. Deliveries share a pool of slots, and each endpoint may hold only a few requests at once, so a slow or
/// dead endpoint's share waits in the queue rather than in front of anyone else's.
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
    TimeProvider time,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    const int ReceiveBatch = 32;

    // When a busy endpoint's delivery is taken while its slots are full, it is looked at again this much later (the
    // queue's shortest wait).
    static readonly TimeSpan BusyEndpointDelay = TimeSpan.FromSeconds(1);

    // Delivered requests are written to the attempt log once a second, merged: a busy endpoint costs one table
    // transaction a second rather than one a request. Failures are written at once.
    static readonly TimeSpan SuccessFlushInterval = TimeSpan.FromSeconds(1);

    readonly ConcurrentQueue<(string TenantId, string EndpointId, WebhookAttempt Attempt)> _delivered = new();
    readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentRequests);
    readonly ConcurrentDictionary<string, int> _perEndpoint = new(StringComparer.Ordinal);

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

            if (messages.Count == 0)
            {
                await Task.Delay(WebhookPolling.Pause(idlePolls++, options.Value.MaxPollInterval), time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            idlePolls = 0;
            foreach (var message in messages)
            {
                var task = ProcessAsync(message, stoppingToken);
                running[task] = true;
                _ = task.ContinueWith(t => running.TryRemove(t, out _), TaskScheduler.Default);
            }
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
        var key = $"{d.TenantId}/{share.EndpointId}";
        var entered = false;
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

            if (!(entered = TryEnter(key)))
            {
                return new WebhookLeftover(share, BusyEndpointDelay);
            }

            if (await endpoints.SecretsAsync(d.TenantId, share.EndpointId) is not { Count: > 0 } secrets)
            {
                return null;
            }

            return await SettleAsync(d, share, endpoint, await SendAsync(endpoint, share, secrets, stoppingToken));
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // This share shows again after the visibility timeout, attempts unchanged; the other endpoints' go on.
            LogDeliveryFailed(logger, ex, share.EndpointId);
            return new WebhookLeftover(share, Visibility);
        }
        finally
        {
            if (entered)
            {
                Exit(key);
            }
        }
    }

    /// <summary>Sends a share's events: what went, the event that failed with its result, and what was not tried.</summary>
    async Task<Round> SendAsync(WebhookEndpoint endpoint, WebhookShare share, IReadOnlyList<string> secrets, CancellationToken cancellationToken)
    {
        if (endpoint.Batch)
        {
            var body = JsonSerializer.SerializeToUtf8Bytes(share.Events.Select(EventEnvelope.Of).ToList(), WebhookJson.Default.ListEventEnvelope);
            var result = await sender.SendAsync(WebhookRequest.Signed(endpoint.Url, EventIds.ForBatch(share.Events.Select(e => e.Id)), time.GetUtcNow(), body, secrets), cancellationToken);
            return result.Delivered ? new Round(share.Events, [result], null, null, []) : new Round([], [], share.Events, result, []);
        }

        var started = Stopwatch.GetTimestamp();
        var sent = new List<RelayEvent>();
        var results = new List<WebhookAttemptResult>();
        for (var i = 0; i < share.Events.Count; i++)
        {
            if (Stopwatch.GetElapsedTime(started) > Budget)
            {
                return new Round(sent, results, null, null, share.Events.Skip(i).ToList());
            }

            var e = share.Events[i];
            var body = JsonSerializer.SerializeToUtf8Bytes(EventEnvelope.Of(e), WebhookJson.Default.EventEnvelope);
            var result = await sender.SendAsync(WebhookRequest.Signed(endpoint.Url, e.Id, time.GetUtcNow(), body, secrets), cancellationToken);
            if (!result.Delivered)
            {
                return new Round(sent, results, share.Events.Skip(i).ToList(), result, []);
            }

            sent.Add(e);
            results.Add(result);
        }

        return new Round(sent, results, null, null, []);
    }

    /// <summary>Records an endpoint's round and decides what is left of its share: retried on the schedule, not tried in time, or nothing.</summary>
    async Task<WebhookLeftover?> SettleAsync(WebhookDelivery d, WebhookShare share, WebhookEndpoint endpoint, Round round)
    {
        var now = time.GetUtcNow();
        var attempt = share.Attempts + 1;
        if (round.Sent.Count > 0)
        {
            var latency = TimeSpan.FromTicks((long)round.Results.Average(r => r.Latency.Ticks));
            _delivered.Enqueue((d.TenantId, share.EndpointId, new WebhookAttempt(now, attempt, round.Sent.Select(e => e.Id).ToList(), round.Results[^1].StatusCode, latency, null, null, d.Replay)));
        }

        if (round.Failed is { } failed && round.Failure is { } failure)
        {
            var decision = rules.Value.Schedule.AfterAttempt(attempt, failure.StatusCode, failure.RetryAfter, now);
            await attemptLog.AppendAsync(d.TenantId, share.EndpointId,
                [new WebhookAttempt(now, attempt, endpoint.Batch ? failed.Select(e => e.Id).ToList() : [failed[0].Id], failure.StatusCode, failure.Latency,
                    failure.Error ?? $"HTTP {failure.StatusCode}", decision.NextAttemptAt, d.Replay)], CancellationToken.None);
            await health.ReportAsync(d.TenantId, share.EndpointId, delivered: false);
            switch (decision.Outcome)
            {
                case WebhookAttemptOutcome.Retry:
                    return new WebhookLeftover(share with { Attempts = attempt, Events = failed }, decision.NextAttemptAt!.Value - now);
                case WebhookAttemptOutcome.Gone:
                    LogGone(logger, share.EndpointId, d.TenantId);
                    await health.GoneAsync(d.TenantId, share.EndpointId, endpoint.Url);
                    return null;
                default:
                    LogGaveUp(logger, failed.Count, share.EndpointId, d.TenantId, attempt);
                    return null;
            }
        }

        await health.ReportAsync(d.TenantId, share.EndpointId, delivered: true);
        return round.Untried.Count > 0 ? new WebhookLeftover(share with { Events = round.Untried }, TimeSpan.Zero) : null;
    }

    bool TryEnter(string key)
    {
        var max = options.Value.MaxConcurrentPerEndpoint;
        while (true)
        {
            var current = _perEndpoint.GetOrAdd(key, 0);
            if (current >= max)
            {
                return false;
            }

            if (_perEndpoint.TryUpdate(key, current + 1, current))
            {
                return true;
            }
        }
    }

    void Exit(string key) => _perEndpoint.AddOrUpdate(key, 0, (_, n) => Math.Max(0, n - 1));

    /// <summary>What one pass over a delivery did: events sent (and their results), the ones from the first failure on, and those not tried in time.</summary>
    sealed record Round(IReadOnlyList<RelayEvent> Sent, IReadOnlyList<WebhookAttemptResult> Results, IReadOnlyList<RelayEvent>? Failed, WebhookAttemptResult? Failure,
        IReadOnlyList<RelayEvent> Untried);

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
