using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Sendarix.Core.Ids;

namespace Sendarix.Storage.Messages;

/// <summary>
/// The durable record of every message and everything that happened to it, in one table partitioned by tenant.
/// A message row ("m|{id}") holds the envelope and one property per recipient with its current state; event rows
/// ("e|{id}|{ticks}|{recipient}") are appended beside it. Row and events share a partition, so a state change and
/// its event are written in one transaction, and a tenant's data is only ever read through its own partition.
/// </summary>
public sealed class MessageLedger(StorageClients storage)
{
    // Azure Table transactions take at most 100 operations, all in one partition.
    const int MaxTransactionOperations = 100;
    const string MessagePrefix = "m|";
    const string EventPrefix = "e|";

    TableClient Table => storage.Messages;

    /// <summary>Writes the message rows and their "accepted" events: one transaction per tenant and 50 messages.</summary>
    public Task WriteAcceptedAsync(IReadOnlyList<(AcceptedMessage Message, BodyRef Body)> messages, CancellationToken cancellationToken)
    {
        var transactions = new List<Task>();
        foreach (var tenant in messages.GroupBy(m => m.Message.Id.TenantId))
        {
            foreach (var chunk in tenant.Chunk(MaxTransactionOperations / 2))
            {
                var actions = new List<TableTransactionAction>(chunk.Length * 2);
                foreach (var (message, body) in chunk)
                {
                    actions.Add(new TableTransactionAction(TableTransactionActionType.Add, NewMessageRow(message, body)));
                    actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, NewEventRow(
                        message.Id, "acc", new MessageEvent(EventType.Accepted, message.AcceptedAt, null, $"250 2.0.0 OK: queued as {message.Id}", null, null))));
                }

                transactions.Add(Table.SubmitTransactionAsync(actions, cancellationToken));
            }
        }

        return Task.WhenAll(transactions);
    }

    /// <summary>Removes rows of an acceptance that failed part-way, so nothing half-accepted stays visible.</summary>
    public async Task RemoveAsync(IEnumerable<AcceptedMessage> messages, CancellationToken cancellationToken)
    {
        foreach (var m in messages)
        {
            foreach (var key in new[] { MessageKey(m.Id), EventKey(m.Id, "acc", m.AcceptedAt) })
            {
                try
                {
                    await Table.DeleteEntityAsync(m.Id.TenantId, key, ETag.All, cancellationToken);
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    // Never written: that transaction was the one that failed.
                }
            }
        }
    }

    /// <summary>Records delivery outcomes: each recipient's new state and its event, in one transaction per tenant chunk.</summary>
    public Task RecordAsync(IReadOnlyList<RecipientOutcome> outcomes, CancellationToken cancellationToken)
    {
        var transactions = new List<Task>();
        foreach (var tenant in outcomes.GroupBy(o => o.MessageId.TenantId))
        {
            var actions = new List<TableTransactionAction>();
            foreach (var message in tenant.GroupBy(o => o.MessageId))
            {
                var items = message.ToList();
                if (actions.Count + items.Count + 1 > MaxTransactionOperations)
                {
                    transactions.Add(Table.SubmitTransactionAsync(actions, cancellationToken));
                    actions = [];
                }

                var row = new TableEntity(message.Key.TenantId, MessageKey(message.Key));
                foreach (var o in items)
                {
                    var state = new RecipientState(o.Recipient, RecipientState.StatusOf(o.Type), o.Attempts, o.Reply, o.Time, o.NextAttempt);
                    row[RecipientProperty(o.RecipientIndex)] = JsonSerializer.Serialize(state, StorageJson.Default.RecipientState);
                    actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, NewEventRow(
                        o.MessageId, o.RecipientIndex.ToString("D3", CultureInfo.InvariantCulture),
                        new MessageEvent(o.Type, o.Time, o.Recipient, o.Reply, o.NextAttempt, o.RemoteHost))));
                }

                actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertMerge, row));
            }

            if (actions.Count > 0)
            {
                transactions.Add(Table.SubmitTransactionAsync(actions, cancellationToken));
            }
        }

        return Task.WhenAll(transactions);
    }

    /// <summary>One message with its recipients' states and its events, or null.</summary>
    public async Task<MessageView?> GetAsync(MessageId id, CancellationToken cancellationToken)
    {
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(id.TenantId, MessageKey(id), cancellationToken: cancellationToken);
        if (!row.HasValue || row.Value is null)
        {
            return null;
        }

        var prefix = $"{EventPrefix}{id.Local}|";
        var events = new List<MessageEvent>();
        await foreach (var e in Table.QueryAsync<TableEntity>(RangeFilter(id.TenantId, prefix), cancellationToken: cancellationToken))
        {
            events.Add(ReadEvent(e));
        }

        return ReadMessage(row.Value, events);
    }

    /// <summary>A page of a tenant's messages, newest first (the id's inverted time sorts them so).</summary>
    public async Task<(IReadOnlyList<MessageView> Items, string? Next)> ListAsync(string tenantId, int pageSize, string? continuation, CancellationToken cancellationToken)
    {
        var pages = Table.QueryAsync<TableEntity>(RangeFilter(tenantId, MessagePrefix), maxPerPage: pageSize, cancellationToken: cancellationToken)
            .AsPages(continuation, pageSize);
        await foreach (var page in pages)
        {
            return (page.Values.Select(r => ReadMessage(r, null)).ToList(), page.ContinuationToken);
        }

        return ([], null);
    }

    static string RangeFilter(string partition, string prefix)
    {
        // Every key with the prefix sorts between the prefix and the prefix with its last character incremented.
        var upper = prefix[..^1] + (char)(prefix[^1] + 1);
        return TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey ge {prefix} and RowKey lt {upper}");
    }

    static string MessageKey(MessageId id) => MessagePrefix + id.Local;

    static string EventKey(MessageId id, string recipient, DateTimeOffset time) =>
        string.Create(CultureInfo.InvariantCulture, $"{EventPrefix}{id.Local}|{time.UtcTicks:D19}|{recipient}");

    static string RecipientProperty(int index) => string.Create(CultureInfo.InvariantCulture, $"R{index}");

    static TableEntity NewMessageRow(AcceptedMessage message, BodyRef body)
    {
        var row = new TableEntity(message.Id.TenantId, MessageKey(message.Id))
        {
            ["From"] = message.From,
            ["AcceptedAt"] = message.AcceptedAt,
            ["Size"] = (long)message.Body.Length,
            ["Blob"] = body.Blob,
            ["Offset"] = body.Offset,
            ["Length"] = body.Length,
            ["ClientAddress"] = message.ClientAddress,
            ["RecipientCount"] = message.Recipients.Count,
        };
        for (var i = 0; i < message.Recipients.Count; i++)
        {
            var state = new RecipientState(message.Recipients[i], RecipientState.Queued, 0, null, message.AcceptedAt, null);
            row[RecipientProperty(i)] = JsonSerializer.Serialize(state, StorageJson.Default.RecipientState);
        }

        return row;
    }

    static TableEntity NewEventRow(MessageId id, string recipient, MessageEvent e) => new(id.TenantId, EventKey(id, recipient, e.Time))
    {
        ["Type"] = e.Type.ToString(),
        ["Time"] = e.Time,
        ["Recipient"] = e.Recipient,
        ["Reply"] = e.Reply,
        ["NextAttempt"] = e.NextAttempt,
        ["RemoteHost"] = e.RemoteHost,
    };

    static MessageEvent ReadEvent(TableEntity e) => new(
        Enum.Parse<EventType>(e.GetString("Type")),
        e.GetDateTimeOffset("Time") ?? default,
        e.GetString("Recipient"),
        e.GetString("Reply"),
        e.GetDateTimeOffset("NextAttempt"),
        e.GetString("RemoteHost"));

    static MessageView ReadMessage(TableEntity row, IReadOnlyList<MessageEvent>? events)
    {
        var count = row.GetInt32("RecipientCount") ?? 0;
        var recipients = new List<RecipientState>(count);
        for (var i = 0; i < count; i++)
        {
            var json = row.GetString(RecipientProperty(i));
            if (json is not null)
            {
                recipients.Add(JsonSerializer.Deserialize(json, StorageJson.Default.RecipientState)!);
            }
        }

        var id = new MessageId(row.PartitionKey, row.RowKey[MessagePrefix.Length..]);
        return new MessageView(id.ToString(), row.PartitionKey, row.GetString("From") ?? "", row.GetDateTimeOffset("AcceptedAt") ?? default,
            row.GetInt64("Size") ?? 0, recipients, events);
    }
}
