using System.Text.Json;
using Sendarix.Core.Events;
using Sendarix.Storage.Queue;

namespace Sendarix.Storage.Webhooks;

/// <summary>
/// Webhook deliveries waiting for their next attempt. A queue message is a group of events for one endpoint; its
/// retry schedule is the queue's own visibility: a failed group is put back with its attempt count raised and made
/// visible when the next attempt is due, so retries survive any crash and cost no timer.
/// </summary>
public sealed class WebhookQueue(StorageClients storage)
{
    /// <summary>The most events one delivery carries: a batching endpoint gets them in one request.</summary>
    public const int MaxEventsPerDelivery = 100;

    /// <summary>Queues the events for an endpoint, as few deliveries as fit.</summary>
    public Task SendAsync(string tenantId, string endpointId, IReadOnlyList<RelayEvent> events, CancellationToken cancellationToken, bool replay = false) =>
        Task.WhenAll(QueuePacking.Pack(events, e => JsonSerializer.Serialize(e, StorageJson.Relaxed.RelayEvent), QueuePacking.MaxMessageBytes, MaxEventsPerDelivery)
            .Select(batch => storage.Webhooks.SendMessageAsync(Serialize(new WebhookDelivery(tenantId, endpointId, 0, batch, replay)), cancellationToken)));

    public async Task<IReadOnlyList<WebhookDeliveryMessage>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken)
    {
        var response = await storage.Webhooks.ReceiveMessagesAsync(maxMessages, visibilityTimeout, cancellationToken);
        return response.Value
            .Select(m => new WebhookDeliveryMessage(m.MessageId, m.PopReceipt, JsonSerializer.Deserialize(m.Body.ToString(), StorageJson.Default.WebhookDelivery)!))
            .ToList();
    }

    /// <summary>
    /// Puts a delivery back, with what is left of it, to be taken again after <paramref name="delay"/>, rounded up to
    /// whole seconds: the queue service counts visibility in seconds, and would take anything shorter as "now".
    /// </summary>
    public Task RescheduleAsync(WebhookDeliveryMessage message, WebhookDelivery remaining, TimeSpan delay, CancellationToken cancellationToken) =>
        storage.Webhooks.UpdateMessageAsync(message.Id, message.PopReceipt, Serialize(remaining),
            delay <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Ceiling(delay.TotalSeconds)), cancellationToken);

    public Task DeleteAsync(WebhookDeliveryMessage message, CancellationToken cancellationToken) =>
        storage.Webhooks.DeleteMessageAsync(message.Id, message.PopReceipt, cancellationToken);

    static string Serialize(WebhookDelivery delivery) => JsonSerializer.Serialize(delivery, StorageJson.Relaxed.WebhookDelivery);
}

/// <summary>
/// Events for one endpoint and the attempts made so far (0: none). Replayed events are marked, so their attempts
/// show as replays.
/// </summary>
public sealed record WebhookDelivery(string TenantId, string EndpointId, int Attempts, IReadOnlyList<RelayEvent> Events, bool Replay = false);

/// <summary>A received delivery and its queue receipt.</summary>
public sealed record WebhookDeliveryMessage(string Id, string PopReceipt, WebhookDelivery Delivery);
