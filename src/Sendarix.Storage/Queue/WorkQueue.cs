using System.Text;
using System.Text.Json;
using Azure.Storage.Queues.Models;

namespace Sendarix.Storage.Queue;

/// <summary>
/// The delivery queue. A queue message holds a list of work items, so an acceptance batch or a released group of
/// retries costs one queue operation, not one per message.
/// </summary>
public sealed class WorkQueue(StorageClients storage)
{
    const int MaxMessageBytes = QueuePacking.MaxMessageBytes;

    /// <summary>
    /// Queues the items; with <paramref name="hold"/> the queue messages stay invisible that long unless
    /// <see cref="ReleaseAsync"/> shows them sooner.
    /// </summary>
    public async Task<IReadOnlyList<SendReceipt>> SendAsync(IReadOnlyList<DeliveryWorkItem> items, CancellationToken cancellationToken, TimeSpan? hold = null)
    {
        var sends = QueuePacking.Pack(items, item => JsonSerializer.Serialize(item, StorageJson.Relaxed.DeliveryWorkItem), MaxMessageBytes)
            .Select(batch => SendOneAsync(batch, hold, cancellationToken));
        return (await Task.WhenAll(sends)).Select(r => r.Value).ToList();
    }

    /// <summary>Makes held queue messages visible now.</summary>
    public Task ReleaseAsync(IReadOnlyList<SendReceipt> receipts, CancellationToken cancellationToken) =>
        Task.WhenAll(receipts.Select(r => storage.Delivery.UpdateMessageAsync(r.MessageId, r.PopReceipt, visibilityTimeout: TimeSpan.Zero, cancellationToken: cancellationToken)));

    public async Task<IReadOnlyList<WorkMessage>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken)
    {
        var response = await storage.Delivery.ReceiveMessagesAsync(maxMessages, visibilityTimeout, cancellationToken);
        return response.Value.Select(m => Read(m) is { } items
                ? new WorkMessage(m.MessageId, m.PopReceipt, m.DequeueCount, items, Waited(m, visibilityTimeout))
                : new WorkMessage(m.MessageId, m.PopReceipt, m.DequeueCount, [], Waited(m, visibilityTimeout)) { Unreadable = m.Body })
            .ToList();
    }

    /// <summary>
    /// Moves a work message that cannot be read out of the delivery queue: a copy, kept until an operator removes it,
    /// goes to the parked queue first, then the message is deleted. Left where it was, it would come back at every
    /// visibility timeout, and fail the receive of whatever came with it.
    /// </summary>
    public async Task ParkAsync(WorkMessage message, CancellationToken cancellationToken)
    {
        await storage.DeliveryParked.SendMessageAsync(message.Unreadable ?? BinaryData.Empty, timeToLive: TimeSpan.FromSeconds(-1), cancellationToken: cancellationToken);
        await storage.Delivery.DeleteMessageAsync(message.Id, message.PopReceipt, cancellationToken);
    }

    static List<DeliveryWorkItem>? Read(QueueMessage message)
    {
        try
        {
            return JsonSerializer.Deserialize(message.Body.ToString(), StorageJson.Default.ListDeliveryWorkItem) is { } items && !items.Contains(null!) ? items : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Keeps a received message invisible for <paramref name="visibility"/> from now; returns its new pop receipt.</summary>
    public async Task<string> ExtendAsync(string messageId, string popReceipt, TimeSpan visibility, CancellationToken cancellationToken) =>
        (await storage.Delivery.UpdateMessageAsync(messageId, popReceipt, visibilityTimeout: visibility, cancellationToken: cancellationToken)).Value.PopReceipt;

    public Task DeleteAsync(string messageId, string popReceipt, CancellationToken cancellationToken) =>
        storage.Delivery.DeleteMessageAsync(messageId, popReceipt, cancellationToken);

    Task<Azure.Response<SendReceipt>> SendOneAsync(List<DeliveryWorkItem> items, TimeSpan? hold, CancellationToken cancellationToken) =>
        storage.Delivery.SendMessageAsync(JsonSerializer.Serialize(items, StorageJson.Relaxed.ListDeliveryWorkItem), hold, cancellationToken: cancellationToken);

    // How long the message was in the queue before this receipt, by the queue service's own clock (the receipt made
    // it visible again at now + the visibility timeout), so no two machines' clocks are compared.
    static TimeSpan Waited(QueueMessage m, TimeSpan visibilityTimeout) =>
        m is { InsertedOn: { } inserted, NextVisibleOn: { } visible } ? visible - visibilityTimeout - inserted : TimeSpan.MaxValue;
}

/// <summary>A received queue message, the work it carries, and how long it had been queued when it was received.</summary>
public sealed record WorkMessage(string Id, string PopReceipt, long DequeueCount, IReadOnlyList<DeliveryWorkItem> Items, TimeSpan Waited)
{
    /// <summary>The message as stored, when it is not a list of work items (then <see cref="Items"/> is empty).</summary>
    public BinaryData? Unreadable { get; init; }
}
