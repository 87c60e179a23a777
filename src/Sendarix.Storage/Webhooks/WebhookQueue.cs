using System.Text.Json;
using Sendarix.Core.Events;
using Sendarix.Storage.Queue;

namespace Sendarix.Storage.Webhooks;

/// <summary>
/// Webhook deliveries waiting for their next attempt. A queue message is a group of a tenant's events and the
/// endpoints owed them (<see cref="WebhookDelivery"/>); its retry schedule is the queue's own visibility: what an
/// attempt left is put back with its attempt count raised and made visible when the next attempt is due, so retries
/// survive any crash and cost no timer.
/// </summary>
public sealed class WebhookQueue(StorageClients storage)
{
    /// <summary>The most events one delivery carries: a batching endpoint gets them in one request.</summary>
    public const int MaxEventsPerDelivery = 100;

    TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Completes when this process next queues deliveries that are due at once, so its dispatcher can look at the
    /// queue then instead of polling it often (others' deliveries, and retries, are found by its slower polling).
    /// Taken before reading the queue, it cannot miss a write made during the read.
    /// </summary>
    public Task NextWrite => Volatile.Read(ref _written).Task;

    /// <summary>Queues the endpoints' shares, each event once, as few deliveries as fit, visible after <paramref name="delay"/>.</summary>
    public Task SendAsync(string tenantId, IReadOnlyList<WebhookShare> shares, CancellationToken cancellationToken, bool replay = false, TimeSpan delay = default)
    {
        var all = WebhookDelivery.Of(tenantId, shares, replay);
        var chunks = QueuePacking.Pack(all.Events, e => JsonSerializer.Serialize(e, StorageJson.Relaxed.RelayEvent), QueuePacking.MaxMessageBytes, MaxEventsPerDelivery).ToList();
        var deliveries = chunks.Count == 1
            ? [all]
            : chunks.Select(chunk =>
            {
                var ids = chunk.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);
                return WebhookDelivery.Of(tenantId, shares.Select(s => s with { Events = s.Events.Where(e => ids.Contains(e.Id)).ToList() }).Where(s => s.Events.Count > 0), replay);
            }).ToList();
        return WrittenAsync(Task.WhenAll(deliveries.Select(d => storage.Webhooks.SendMessageAsync(Serialize(d), Visibility(delay), null, cancellationToken))), delay);
    }

    async Task WrittenAsync(Task write, TimeSpan delay)
    {
        await write;
        if (delay <= TimeSpan.Zero)
        {
            Interlocked.Exchange(ref _written, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    public async Task<IReadOnlyList<WebhookDeliveryMessage>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken)
    {
        var response = await storage.Webhooks.ReceiveMessagesAsync(maxMessages, visibilityTimeout, cancellationToken);
        return response.Value
            .Select(m => new WebhookDeliveryMessage(m.MessageId, m.PopReceipt, JsonSerializer.Deserialize(m.Body.ToString(), StorageJson.Default.WebhookDelivery)!))
            .ToList();
    }

    /// <summary>
    /// Settles a delivery: deleted when nothing is left; otherwise what is left is put back, to be taken again after its
    /// delay. Shares due at the same time stay in this message; each other due time gets a message of its own, queued
    /// before this one changes, so a failure in between can only repeat events, never drop them.
    /// </summary>
    public async Task SettleAsync(WebhookDeliveryMessage message, IReadOnlyList<WebhookLeftover> leftovers, CancellationToken cancellationToken)
    {
        if (leftovers.Count == 0)
        {
            await storage.Webhooks.DeleteMessageAsync(message.Id, message.PopReceipt, cancellationToken);
            return;
        }

        var byDue = leftovers.GroupBy(l => Visibility(l.Delay)).OrderBy(g => g.Key).ToList();
        var d = message.Delivery;
        await Task.WhenAll(byDue.Skip(1).Select(g => SendAsync(d.TenantId, g.Select(l => l.Share).ToList(), cancellationToken, d.Replay, g.Key)));
        await WrittenAsync(storage.Webhooks.UpdateMessageAsync(message.Id, message.PopReceipt, Serialize(WebhookDelivery.Of(d.TenantId, byDue[0].Select(l => l.Share), d.Replay)),
            byDue[0].Key, cancellationToken), byDue[0].Key);
    }

    // The queue service counts visibility in whole seconds and would take anything shorter as "now": round up.
    static TimeSpan Visibility(TimeSpan delay) => delay <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Ceiling(delay.TotalSeconds));

    static string Serialize(WebhookDelivery delivery) => JsonSerializer.Serialize(delivery, StorageJson.Relaxed.WebhookDelivery);
}
