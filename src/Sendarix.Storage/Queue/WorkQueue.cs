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
    // A queue message holds 64 KB; stay well below so one large envelope never fails the send.
    const int MaxMessageBytes = 48 * 1024;

    public async Task SendAsync(IReadOnlyList<DeliveryWorkItem> items, CancellationToken cancellationToken)
    {
        var sends = new List<Task>();
        var batch = new List<DeliveryWorkItem>();
        var size = 2;
        foreach (var item in items)
        {
            var itemSize = Encoding.UTF8.GetByteCount(JsonSerializer.Serialize(item, StorageJson.Default.DeliveryWorkItem)) + 1;
            if (batch.Count > 0 && size + itemSize > MaxMessageBytes)
            {
                sends.Add(SendOneAsync(batch, cancellationToken));
                batch = [];
                size = 2;
            }

            batch.Add(item);
            size += itemSize;
        }

        if (batch.Count > 0)
        {
            sends.Add(SendOneAsync(batch, cancellationToken));
        }

        await Task.WhenAll(sends);
    }

    public async Task<IReadOnlyList<WorkMessage>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken)
    {
        var response = await storage.Delivery.ReceiveMessagesAsync(maxMessages, visibilityTimeout, cancellationToken);
        return response.Value
            .Select(m => new WorkMessage(m.MessageId, m.PopReceipt, m.DequeueCount,
                JsonSerializer.Deserialize(m.Body.ToString(), StorageJson.Default.ListDeliveryWorkItem) ?? []))
            .ToList();
    }

    public Task DeleteAsync(WorkMessage message, CancellationToken cancellationToken) =>
        storage.Delivery.DeleteMessageAsync(message.Id, message.PopReceipt, cancellationToken);

    Task<Azure.Response<SendReceipt>> SendOneAsync(List<DeliveryWorkItem> items, CancellationToken cancellationToken) =>
        storage.Delivery.SendMessageAsync(JsonSerializer.Serialize(items, StorageJson.Default.ListDeliveryWorkItem), cancellationToken);
}

/// <summary>A received queue message and the work it carries.</summary>
public sealed record WorkMessage(string Id, string PopReceipt, long DequeueCount, IReadOnlyList<DeliveryWorkItem> Items);
