using Sendarix.Core.Events;
using Sendarix.Storage.Messages;
using Sendarix.Storage.Tenants;

namespace Sendarix.Storage.Events;

/// <summary>
/// The one writer of events: message events go to the ledger, behind their message; tenant events to the tenant's
/// log; then all of them to the outbox, for webhooks. Every reader (the API, webhooks, later search and statistics)
/// reads what this wrote. Events carry stable ids, so recording a step twice rewrites the same rows (and publishes
/// the same ids again: webhooks are at-least-once).
/// </summary>
public sealed class EventRecorder(MessageLedger ledger, TenantEventLog tenantEvents, EventOutbox outbox)
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

        // Published only once stored: a webhook never reports an event that the API could not show.
        await outbox.PublishAsync(events, cancellationToken);
    }
}
