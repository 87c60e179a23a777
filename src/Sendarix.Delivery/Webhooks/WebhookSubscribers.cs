using Sendarix.Core.Events;
using Sendarix.Storage.Events;

namespace Sendarix.Delivery.Webhooks;

/// <summary>
/// A tenant's enabled endpoints and the events each takes: those of its types, and of deferrals only a recipient's
/// first when it said so (each event counts its recipient's deferrals, so the rule needs no state).
/// </summary>
internal sealed class WebhookSubscribers(WebhookEndpointCache endpoints) : IEventSubscribers
{
    public async Task<IReadOnlyList<EventSubscription>> SelectAsync(string tenantId, IReadOnlyList<RelayEvent> events)
    {
        var subscriptions = new List<EventSubscription>();
        foreach (var endpoint in (await endpoints.ListAsync(tenantId)).Where(e => e.Enabled))
        {
            var wanted = events.Where(e => endpoint.Receives(e.Type) && !(endpoint.FirstDeferralOnly && e.Type == EventType.Deferred && e.Deferrals > 1)).ToList();
            if (wanted.Count > 0)
            {
                subscriptions.Add(new EventSubscription(endpoint.Id, wanted));
            }
        }

        return subscriptions;
    }
}
