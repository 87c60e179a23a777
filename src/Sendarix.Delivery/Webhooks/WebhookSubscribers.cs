using Sendarix.Core.Events;
using Sendarix.Storage.Events;

namespace Sendarix.Delivery.Webhooks;

/// <summary>
/// A tenant's enabled endpoints and the events each takes (<see cref="Contracts.Webhooks.WebhookEndpoint.Takes"/>).
/// </summary>
internal sealed class WebhookSubscribers(WebhookEndpointCache endpoints) : IEventSubscribers
{
    public async Task<IReadOnlyList<EventSubscription>> SelectAsync(string tenantId, IReadOnlyList<RelayEvent> events)
    {
        var subscriptions = new List<EventSubscription>();
        foreach (var endpoint in (await endpoints.ListAsync(tenantId)).Where(e => e.Enabled))
        {
            var wanted = events.Where(endpoint.Takes).ToList();
            if (wanted.Count > 0)
            {
                subscriptions.Add(new EventSubscription(endpoint.Id, wanted));
            }
        }

        return subscriptions;
    }
}
