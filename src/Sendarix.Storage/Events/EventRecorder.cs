using Sendarix.Core.Events;
using Sendarix.Storage.Messages;
using Sendarix.Storage.Search;
using Sendarix.Storage.Stats;
using Sendarix.Storage.Telemetry;
using Sendarix.Storage.Tenants;
using Sendarix.Storage.Webhooks;

namespace Sendarix.Storage.Events;

/// <summary>
/// The one writer of events: message events go to the ledger, behind their message; tenant events to the tenant's
/// log; then message events are counted for statistics and metrics and indexed for search, and each of the tenant's webhook
/// endpoints gets its share queued (the webhook queue is the outbox). Every reader (the API, search, statistics,
/// webhooks) reads what this wrote. Events carry stable ids, so recording a step twice rewrites the same rows and
/// queues the same ids again: webhooks are at-least-once.
/// </summary>
public sealed class EventRecorder(MessageLedger ledger, TenantEventLog tenantEvents, SearchIndex search, StatsRecorder stats, RelayMetrics metrics,
    WebhookPublisher webhooks, IEventSubscribers subscribers)
{
    public async Task RecordAsync(IReadOnlyList<RelayEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        var messageEvents = events.Where(e => EventTypes.IsMessageEvent(e.Type)).ToList();
        var others = events.Where(e => !EventTypes.IsMessageEvent(e.Type)).ToList();
        await Task.WhenAll(
            messageEvents.Count > 0 ? ledger.AppendAsync(messageEvents, cancellationToken) : Task.CompletedTask,
            others.Count > 0 ? tenantEvents.AppendAsync(others, cancellationToken) : Task.CompletedTask);

        // Counted, searchable and queued for webhooks only once stored, so neither reports what the API could not show. A
        // tenant without endpoints costs nothing more; one with endpoints shares the publisher's writes with every
        // other caller, as search shares the index's.
        stats.Count(events);
        metrics.Recorded(messageEvents);
        var sends = new List<Task> { search.AddAsync(messageEvents, cancellationToken) };
        foreach (var tenant in events.GroupBy(e => e.TenantId))
        {
            if (await subscribers.SelectAsync(tenant.Key, tenant.ToList()) is { Count: > 0 } subscriptions)
            {
                sends.Add(webhooks.PublishAsync(tenant.Key, subscriptions, cancellationToken));
            }
        }

        await Task.WhenAll(sends);
    }
}
