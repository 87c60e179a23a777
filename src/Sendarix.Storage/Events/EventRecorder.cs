using Sendarix.Core.Events;
using Sendarix.Storage.Messages;
using Sendarix.Storage.Tenants;

namespace Sendarix.Storage.Events;

/// <summary>
/// The one writer of events: message events go to the ledger, behind their message; tenant events to the tenant's
/// log. Every reader (the API, webhooks, later search and statistics) reads what this wrote. Events carry stable
/// ids, so recording a step twice rewrites the same rows.
/// </summary>
public sealed class EventRecorder(MessageLedger ledger, TenantEventLog tenantEvents)
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
    }
}
