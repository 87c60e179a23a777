using System.Collections.ObjectModel;
using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Sendarix.Core.Events;
using Sendarix.Core.Ids;

namespace Sendarix.Storage.Messages;

/// <summary>
/// The durable record of every message and everything that happened to it, in one table partitioned by tenant.
/// The message row ("{id}") is the acceptance: envelope, recipients and where the body is. Each later transition is
/// an event row ("{id}|{ticks}|{recipient}") right behind it, so a message and its history are one range of keys, a
/// tenant's messages list newest first (the id starts with the inverted time), and a recipient's state is its last
/// event. Writing only rows that are added keeps storage work to one row per message and one per outcome.
/// </summary>
public sealed class MessageLedger(StorageClients storage)
{
    // Azure Table transactions take at most 100 operations, all in one partition.
    const int MaxTransactionOperations = 100;

    // A string property holds 64 KB (32 K UTF-16 characters): longer recipient lists are split across properties.
    const int ChunkCharacters = 30_000;
    const string RecipientsProperty = "Recipients";

    TableClient Table => storage.Messages;

    /// <summary>Writes the message rows: one transaction per tenant and 100 messages.</summary>
    public Task WriteAcceptedAsync(IReadOnlyList<(AcceptedMessage Message, BodyRef Body)> messages, CancellationToken cancellationToken) =>
        SubmitAsync(messages.Select(m => (m.Message.Id.TenantId, new TableTransactionAction(TableTransactionActionType.Add, NewMessageRow(m.Message, m.Body)))), cancellationToken);

    /// <summary>Removes rows of an acceptance that failed part-way, so nothing half-accepted stays visible.</summary>
    public async Task RemoveAsync(IEnumerable<AcceptedMessage> messages, CancellationToken cancellationToken)
    {
        foreach (var m in messages)
        {
            try
            {
                await Table.DeleteEntityAsync(m.Id.TenantId, m.Id.Local, ETag.All, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Never written: that transaction was the one that failed.
            }
        }
    }

    /// <summary>Whether the message row is stored: the acceptance stands.</summary>
    public async Task<bool> ExistsAsync(MessageId id, CancellationToken cancellationToken) =>
        (await Table.GetEntityIfExistsAsync<TableEntity>(id.TenantId, id.Local, ["RowKey"], cancellationToken)).HasValue;

    /// <summary>Records delivery outcomes as events: one transaction per tenant and 100 outcomes.</summary>
    public Task RecordAsync(IReadOnlyList<RecipientOutcome> outcomes, CancellationToken cancellationToken) =>
        SubmitAsync(outcomes.Select(o => (o.MessageId.TenantId, new TableTransactionAction(TableTransactionActionType.UpsertReplace, NewEventRow(o)))), cancellationToken);

    /// <summary>One message with its recipients' states and its events, or null.</summary>
    public async Task<MessageView?> GetAsync(MessageId id, CancellationToken cancellationToken)
    {
        TableEntity? message = null;
        var events = new List<TableEntity>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {id.TenantId} and RowKey ge {id.Local} and RowKey lt {id.Local + "}"}");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (row.RowKey == id.Local)
            {
                message = row;
            }
            else
            {
                events.Add(row);
            }
        }

        return message is null ? null : Fold(message, events, withEvents: true);
    }

    /// <summary>
    /// A page of a tenant's messages, newest first. The continuation is the id of the first message of the next page.
    /// </summary>
    public async Task<(IReadOnlyList<MessageView> Items, string? Next)> ListAsync(string tenantId, int pageSize, string? continuation, CancellationToken cancellationToken)
    {
        var filter = continuation is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {tenantId}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {tenantId} and RowKey ge {continuation}");
        var items = new List<MessageView>();
        TableEntity? current = null;
        var events = new List<TableEntity>();
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (!row.RowKey.Contains('|', StringComparison.Ordinal))
            {
                if (current is not null)
                {
                    items.Add(Fold(current, events, withEvents: false));
                    if (items.Count == pageSize)
                    {
                        return (items, row.RowKey);
                    }
                }

                current = row;
                events = [];
            }
            else if (current is not null)
            {
                events.Add(row);
            }
        }

        if (current is not null)
        {
            items.Add(Fold(current, events, withEvents: false));
        }

        return (items, null);
    }

    Task SubmitAsync(IEnumerable<(string Partition, TableTransactionAction Action)> actions, CancellationToken cancellationToken) =>
        Task.WhenAll(actions.GroupBy(a => a.Partition)
            .SelectMany(p => p.Select(a => a.Action).Chunk(MaxTransactionOperations))
            .Select(chunk => Table.SubmitTransactionAsync(chunk, cancellationToken)));

    static TableEntity NewMessageRow(AcceptedMessage message, BodyRef body)
    {
        var row = new TableEntity(message.Id.TenantId, message.Id.Local)
        {
            ["From"] = message.From,
            ["AcceptedAt"] = message.AcceptedAt,
            ["Size"] = (long)message.Body.Length,
            ["Blob"] = body.Blob,
            ["Offset"] = body.Offset,
            ["Length"] = body.Length,
            ["ClientAddress"] = message.ClientAddress,
            ["MessageIdHeader"] = message.MessageIdHeader,
            ["Subject"] = message.Subject,
            // At most 10 KB of UTF-8, which relaxed escaping keeps within one property's 32 K characters.
            ["Tags"] = message.Tags.Count > 0 ? JsonSerializer.Serialize(message.Tags, StorageJson.Relaxed.IReadOnlyListString) : null,
            ["Metadata"] = message.Metadata.Count > 0 ? JsonSerializer.Serialize(message.Metadata, StorageJson.Relaxed.IReadOnlyDictionaryStringString) : null,
        };
        var recipients = JsonSerializer.Serialize(message.Recipients, StorageJson.Default.IReadOnlyListString);
        for (var i = 0; i * ChunkCharacters < recipients.Length; i++)
        {
            var chunk = recipients.Substring(i * ChunkCharacters, Math.Min(ChunkCharacters, recipients.Length - i * ChunkCharacters));
            row[i == 0 ? RecipientsProperty : string.Create(CultureInfo.InvariantCulture, $"{RecipientsProperty}{i}")] = chunk;
        }

        return row;
    }

    static IReadOnlyList<string> ReadRecipients(TableEntity row)
    {
        var json = row.GetString(RecipientsProperty) ?? "[]";
        for (var i = 1; row.GetString(string.Create(CultureInfo.InvariantCulture, $"{RecipientsProperty}{i}")) is { } more; i++)
        {
            json += more;
        }

        return JsonSerializer.Deserialize(json, StorageJson.Default.IReadOnlyListString) ?? [];
    }

    static TableEntity NewEventRow(RecipientOutcome o) =>
        new(o.MessageId.TenantId, string.Create(CultureInfo.InvariantCulture, $"{o.MessageId.Local}|{o.Time.UtcTicks:D19}|{o.RecipientIndex:D3}"))
        {
            ["Type"] = o.Type.ToString(),
            ["Time"] = o.Time,
            ["Recipient"] = o.Recipient,
            ["Attempts"] = o.Attempts,
            ["Reply"] = o.Reply,
            ["NextAttempt"] = o.NextAttempt,
            ["RemoteHost"] = o.RemoteHost,
            ["Category"] = o.Category,
            ["EgressIp"] = o.EgressIp,
        };

    /// <summary>The message as the API shows it: the acceptance, then each recipient's last event.</summary>
    static MessageView Fold(TableEntity message, IReadOnlyList<TableEntity> events, bool withEvents)
    {
        var id = new MessageId(message.PartitionKey, message.RowKey);
        var acceptedAt = message.GetDateTimeOffset("AcceptedAt") ?? default;
        var recipients = ReadRecipients(message).Select(a => new RecipientState(a, RecipientState.Queued, 0, null, acceptedAt, null)).ToArray();
        var history = new List<MessageEvent> { new(EventType.Accepted, acceptedAt, null, $"250 2.0.0 OK: queued as {id}", null, null) };
        foreach (var e in events)
        {
            var type = Enum.Parse<EventType>(e.GetString("Type"));
            var time = e.GetDateTimeOffset("Time") ?? default;
            var index = int.Parse(e.RowKey.AsSpan(e.RowKey.LastIndexOf('|') + 1), CultureInfo.InvariantCulture);
            var reply = e.GetString("Reply");
            var next = e.GetDateTimeOffset("NextAttempt");
            var category = e.GetString("Category");
            if (index < recipients.Length)
            {
                recipients[index] = recipients[index] with
                {
                    Status = RecipientState.StatusOf(type), Attempts = e.GetInt32("Attempts") ?? 0, LastReply = reply, UpdatedAt = time, NextAttempt = next, Category = category,
                };
            }

            history.Add(new MessageEvent(type, time, e.GetString("Recipient"), reply, next, e.GetString("RemoteHost"), category, e.GetString("EgressIp")));
        }

        return new MessageView(id.ToString(), id.TenantId, message.GetString("From") ?? "", acceptedAt, message.GetInt64("Size") ?? 0,
            recipients, withEvents ? history : null, message.GetString("MessageIdHeader"), message.GetString("Subject"))
        {
            Tags = message.GetString("Tags") is { } tags ? JsonSerializer.Deserialize(tags, StorageJson.Default.IReadOnlyListString) ?? [] : [],
            Metadata = message.GetString("Metadata") is { } metadata
                ? JsonSerializer.Deserialize(metadata, StorageJson.Default.IReadOnlyDictionaryStringString) ?? ReadOnlyDictionary<string, string>.Empty
                : ReadOnlyDictionary<string, string>.Empty,
        };
    }
}
