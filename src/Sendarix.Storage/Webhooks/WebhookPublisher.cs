using Microsoft.Extensions.Options;
using Sendarix.Core.Webhooks;
using Sendarix.Storage.Events;

namespace Sendarix.Storage.Webhooks;

/// <summary>
/// Queues endpoints' events in shared writes, as acceptance commits messages (<see cref="GroupWriter{T}"/>, at most
/// every <see cref="WebhookOptions.PublishInterval"/>): each caller waits until its events are in the webhook queue.
/// A write puts each tenant's events in as few queue messages as fit (each event once, however many endpoints take
/// it), so under load queue calls grow with time, not with the delivery rounds that record events or the endpoints
/// that receive them.
/// </summary>
public sealed class WebhookPublisher(WebhookQueue queue, IOptions<WebhookOptions> options, TimeProvider time)
{
    readonly GroupWriter<(string TenantId, EventSubscription Subscription)> _writer = new(pending => WriteAsync(queue, pending), options.Value.PublishInterval, time);

    public Task PublishAsync(string tenantId, IReadOnlyList<EventSubscription> subscriptions, CancellationToken cancellationToken) =>
        _writer.AddAsync([.. subscriptions.Select(s => (tenantId, s))], cancellationToken);

    static Task WriteAsync(WebhookQueue queue, IReadOnlyList<(string TenantId, EventSubscription Subscription)> pending) =>
        Task.WhenAll(pending.GroupBy(p => p.TenantId).Select(tenant => queue.SendAsync(tenant.Key,
            tenant.GroupBy(p => p.Subscription.EndpointId)
                .Select(endpoint => new WebhookShare(endpoint.Key, 0, endpoint.SelectMany(p => p.Subscription.Events).ToList())).ToList(),
            CancellationToken.None)));
}
