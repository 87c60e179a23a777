using System.Diagnostics;
using System.Diagnostics.Metrics;
using Sendarix.Core.Events;
using Sendarix.Core.Ids;
using Sendarix.Core.Stats;
using Sendarix.Core.Telemetry;

namespace Sendarix.Storage.Telemetry;

/// <summary>
/// The relay's instruments (names in <see cref="MetricNames"/>). Delivery outcomes are counted from the events the
/// event recorder writes, as statistics are, so a metric never tells another story than the log; the rest are
/// counted where they happen (sessions, AUTH, group commits). Recording is a few adds in memory.
/// </summary>
public sealed class RelayMetrics
{
    readonly UpDownCounter<int> _sessions;
    readonly Counter<long> _authFailures;
    readonly Counter<long> _accepted;
    readonly Histogram<int> _batchSize;
    readonly Histogram<double> _commitDuration;
    readonly Histogram<double> _acceptanceWait;
    readonly Histogram<double> _storageDuration;
    readonly Histogram<double> _dataDuration;
    readonly Counter<long> _deliveries;
    readonly Histogram<double> _deliveryDuration;
    readonly Histogram<double> _throttleWait;
    readonly Histogram<double> _webhookLag;

    public RelayMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MetricNames.Meter);
        _sessions = meter.CreateUpDownCounter<int>(MetricNames.SessionsOpen, "{session}", "SMTP sessions open on this front-end");
        _authFailures = meter.CreateCounter<long>(MetricNames.AuthFailures, "{attempt}", "AUTH attempts refused");
        _accepted = meter.CreateCounter<long>(MetricNames.MessagesAccepted, "{message}", "Messages answered 250, stored with their work");
        _batchSize = meter.CreateHistogram<int>(MetricNames.CommitBatchSize, "{message}", "Messages per group commit");
        _commitDuration = meter.CreateHistogram<double>(MetricNames.CommitDuration, "s", "Time a group commit waits for storage");
        // Milliseconds matter here: a 250's whole latency is tens of them.
        var fine = new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] };
        _acceptanceWait = meter.CreateHistogram(MetricNames.AcceptanceWait, "s", "Time a message waits for its group commit to start and be stored", advice: fine);
        _storageDuration = meter.CreateHistogram(MetricNames.CommitStorageDuration, "s", "Time one storage call of a group commit takes", advice: fine);
        _dataDuration = meter.CreateHistogram(MetricNames.SmtpDataDuration, "s", "Time from the end of a message's data to its reply", advice: fine);
        _deliveries = meter.CreateCounter<long>(MetricNames.Deliveries, "{recipient}", "Recipients' delivery outcomes");
        _deliveryDuration = meter.CreateHistogram<double>(MetricNames.DeliveryDuration, "s", "Time from acceptance to delivery");
        _throttleWait = meter.CreateHistogram(MetricNames.ThrottleWait, "s", "Time a delivery waited for a connection slot or a message token",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
        _webhookLag = meter.CreateHistogram(MetricNames.WebhookLag, "s", "Time from an event to its webhook request's acknowledgement",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400] });
        Meter = meter;
    }

    /// <summary>The meter, for instruments observed elsewhere (the queue's gauges).</summary>
    public Meter Meter { get; }

    public void SessionOpened() => _sessions.Add(1);

    public void SessionClosed() => _sessions.Add(-1);

    public void AuthFailed() => _authFailures.Add(1);

    /// <summary>A group commit that stored its messages (each tenant's count) in <paramref name="elapsed"/>.</summary>
    public void Committed(IEnumerable<(string TenantId, int Count)> perTenant, TimeSpan elapsed)
    {
        var total = 0;
        foreach (var (tenant, count) in perTenant)
        {
            _accepted.Add(count, new KeyValuePair<string, object?>(MetricNames.Tags.Tenant, tenant));
            total += count;
        }

        _batchSize.Record(total);
        _commitDuration.Record(elapsed.TotalSeconds);
    }

    /// <summary>A message waited <paramref name="waited"/> in the acceptor, stored or not.</summary>
    public void AcceptanceWaited(TimeSpan waited) => _acceptanceWait.Record(waited.TotalSeconds);

    /// <summary>One storage call of a group commit (<paramref name="operation"/>: a <see cref="MetricNames.Tags"/> operation) took <paramref name="elapsed"/>.</summary>
    public void StorageCall(string operation, TimeSpan elapsed) =>
        _storageDuration.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>(MetricNames.Tags.Operation, operation));

    /// <summary>A message's data was answered <paramref name="elapsed"/> after it ended.</summary>
    public void DataAnswered(TimeSpan elapsed) => _dataDuration.Record(elapsed.TotalSeconds);

    /// <summary>A delivery waited <paramref name="waited"/> for a <paramref name="limit"/> of <paramref name="provider"/>'s throttle (granted or not).</summary>
    public void ThrottleWaited(string provider, string limit, TimeSpan waited) =>
        _throttleWait.Record(waited.TotalSeconds, new KeyValuePair<string, object?>(MetricNames.Tags.Provider, provider), new KeyValuePair<string, object?>(MetricNames.Tags.Limit, limit));

    /// <summary>An endpoint acknowledged <paramref name="count"/> events from <paramref name="first"/> at <paramref name="at"/>.</summary>
    public void WebhookAcknowledged(string tenantId, IReadOnlyList<RelayEvent> events, int first, int count, DateTimeOffset at)
    {
        var tenant = new KeyValuePair<string, object?>(MetricNames.Tags.Tenant, tenantId);
        for (var i = first; i < first + count; i++)
        {
            _webhookLag.Record(Math.Max(0, (at - events[i].Time).TotalSeconds), tenant);
        }
    }

    /// <summary>Counts the delivery outcomes among recorded events (a hold is one; a release only leads to one).</summary>
    public void Recorded(IReadOnlyList<RelayEvent> events)
    {
        foreach (var e in events)
        {
            if (e.Type is EventType.Accepted or EventType.Complained or EventType.Released || !EventTypes.IsMessageEvent(e.Type))
            {
                continue;
            }

            var provider = StatsGroups.ProviderOf(e) ?? "none";
            var tags = new TagList
            {
                { MetricNames.Tags.Outcome, EventTypes.Name(e.Type) },
                { MetricNames.Tags.Tenant, e.TenantId },
                { MetricNames.Tags.Provider, provider },
                { MetricNames.Tags.Category, e.BounceCategory ?? "none" },
            };
            _deliveries.Add(1, tags);
            if (e.Type == EventType.Delivered && e.Message is { } m && MessageId.TryParse(m.MessageId, out var id) && MessageId.AcceptedAt(id.Local) is { } accepted)
            {
                _deliveryDuration.Record(Math.Max(0, (e.Time - accepted).TotalSeconds), new KeyValuePair<string, object?>(MetricNames.Tags.Provider, provider));
            }
        }
    }
}
