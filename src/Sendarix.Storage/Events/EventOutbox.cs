using System.Text.Json;
using Sendarix.Core.Events;
using Sendarix.Storage.Queue;

namespace Sendarix.Storage.Events;

/// <summary>
/// The outbox between recording events and pushing them out: a queue whose messages each carry a list of
/// recorded events. The recorder adds to it after the events are stored; the webhook router takes from it. Mail
/// never waits on a webhook: this queue is all that recording adds.
/// </summary>
public sealed class EventOutbox(StorageClients storage)
{
    public Task PublishAsync(IReadOnlyList<RelayEvent> events, CancellationToken cancellationToken) =>
        Task.WhenAll(QueuePacking.Pack(events, e => JsonSerializer.Serialize(e, StorageJson.Default.RelayEvent), QueuePacking.MaxMessageBytes)
            .Select(batch => storage.Events.SendMessageAsync(JsonSerializer.Serialize(batch, StorageJson.Default.ListRelayEvent), cancellationToken)));

    public async Task<IReadOnlyList<OutboxMessage>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken)
    {
        var response = await storage.Events.ReceiveMessagesAsync(maxMessages, visibilityTimeout, cancellationToken);
        return response.Value
            .Select(m => new OutboxMessage(m.MessageId, m.PopReceipt, JsonSerializer.Deserialize(m.Body.ToString(), StorageJson.Default.ListRelayEvent) ?? []))
            .ToList();
    }

    public Task DeleteAsync(OutboxMessage message, CancellationToken cancellationToken) =>
        storage.Events.DeleteMessageAsync(message.Id, message.PopReceipt, cancellationToken);
}

/// <summary>A received outbox message and the events it carries.</summary>
public sealed record OutboxMessage(string Id, string PopReceipt, IReadOnlyList<RelayEvent> Events);
