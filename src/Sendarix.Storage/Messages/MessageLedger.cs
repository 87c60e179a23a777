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
/// The message row ("{id}") is the acceptance: envelope, recipients and where the body is. Each event is a row
/// ("{id}|{recipient}|{sequence}") right behind it, so a message and its history are one range of keys, a tenant's
/// messages list newest first (the id starts with the inverted time), and a recipient's state is its last row. Writing only rows that are added keeps storage work to one row per message and one per outcome.
/// </summary>
public sealed class MessageLedger(StorageClients storage)
{
    // Azure Table transactions take at most 100 operations, all in one partition.
    const int MaxTransactionOperations = 100;

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

    /// <summary>Deletes messages with their events (the retention sweep); rows already gone are passed over.</summary>
    public Task DeleteAsync(IReadOnlyList<LedgerMessage> messages, CancellationToken cancellationToken) =>
        TableDeletes.DeleteAsync(Table, messages.SelectMany(m =>
            m.Events.Select(e => (m.Id.TenantId, EventRowKey(m.Id.Local, e.RecipientIndex, e.Sequence))).Append((m.Id.TenantId, m.Id.Local))), cancellationToken);

    /// <summary>Whether the message row is stored: the acceptance stands.</summary>
    public async Task<bool> ExistsAsync(MessageId id, CancellationToken cancellationToken) =>
        (await Table.GetEntityIfExistsAsync<TableEntity>(id.TenantId, id.Local, ["RowKey"], cancellationToken)).HasValue;

    /// <summary>
    /// Stores message events, one row each, keyed by recipient and sequence: recording a step again (an attempt
    /// repeated after a crash) replaces its row instead of adding a second one. Only <c>EventRecorder</c> calls this.
    /// </summary>
    public Task AppendAsync(IReadOnlyList<RelayEvent> events, CancellationToken cancellationToken) =>
        SubmitAsync(events.Select(e => (e.TenantId, new TableTransactionAction(TableTransactionActionType.UpsertReplace, NewEventRow(e)))), cancellationToken);

    /// <summary>One message with its events, or null.</summary>
    public async Task<LedgerMessage?> GetAsync(MessageId id, CancellationToken cancellationToken)
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

        return message is null ? null : Read(message, events);
    }

    /// <summary>
    /// Up to <paramref name="max"/> of a tenant's messages accepted between two times, newest first, with their
    /// events; the continuation is where a next call starts (pass it back with the same times).
    /// </summary>
    public Task<(IReadOnlyList<LedgerMessage> Items, string? Next)> ListAcceptedBetweenAsync(string tenantId, DateTimeOffset oldest, DateTimeOffset newest, int max,
        string? continuation, CancellationToken cancellationToken)
    {
        var (first, last) = MessageId.LocalRange(newest, oldest);
        var from = continuation is not null && string.CompareOrdinal(continuation, first) > 0 ? continuation : first;
        return ScanAsync(TableClient.CreateQueryFilter($"PartitionKey eq {tenantId} and RowKey ge {from} and RowKey lt {last + "}"}"), max, cancellationToken);
    }

    async Task<(IReadOnlyList<LedgerMessage> Items, string? Next)> ScanAsync(string filter, int pageSize, CancellationToken cancellationToken)
    {
        var items = new List<LedgerMessage>();
        TableEntity? current = null;
        var events = new List<TableEntity>();
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            if (!row.RowKey.Contains('|', StringComparison.Ordinal))
            {
                if (current is not null)
                {
                    items.Add(Read(current, events));
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
            items.Add(Read(current, events));
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
            ["EnvelopeId"] = message.Dsn?.EnvelopeId,
            // At most 10 KB of UTF-8, which relaxed escaping keeps within one property's 32 K characters.
            ["Tags"] = message.Tags.Count > 0 ? JsonSerializer.Serialize(message.Tags, StorageJson.Relaxed.IReadOnlyListString) : null,
            ["Metadata"] = message.Metadata.Count > 0 ? JsonSerializer.Serialize(message.Metadata, StorageJson.Relaxed.IReadOnlyDictionaryStringString) : null,
        };
        TableText.Write(row, RecipientsProperty, JsonSerializer.Serialize(message.Recipients, StorageJson.Relaxed.IReadOnlyListString));
        if (message.Subtenant is { } subtenant)
        {
            // Only a sub-tenant's message carries the column: nearly every row is a tenant's own.
            row["Subtenant"] = subtenant;
        }

        if (message.Spam is { } spam)
        {
            // The verdict is the message's, shown on each of its events; only a scanned message carries it.
            row["Spam"] = JsonSerializer.Serialize(spam, StorageJson.Relaxed.SpamVerdict);
        }

        return row;
    }

    static IReadOnlyList<string> ReadRecipients(TableEntity row) =>
        JsonSerializer.Deserialize(TableText.Read(row, RecipientsProperty) ?? "[]", StorageJson.Default.IReadOnlyListString) ?? [];

    static TableEntity NewEventRow(RelayEvent e) =>
        new(e.TenantId, EventRowKey(MessageId.Parse(e.Message!.MessageId).Local, e.RecipientIndex, e.Sequence))
        {
            ["Id"] = e.Id,
            ["Version"] = e.SchemaVersion,
            ["Type"] = e.Type.ToString(),
            ["Time"] = e.Time,
            ["RecipientIndex"] = e.RecipientIndex,
            ["Sequence"] = e.Sequence,
            ["Recipient"] = e.Recipient,
            ["Attempts"] = e.Attempt,
            ["Deferrals"] = e.Deferrals,
            ["Reply"] = e.Reply,
            ["NextAttempt"] = e.NextAttempt,
            ["RemoteHost"] = e.RemoteHost,
            ["Category"] = e.BounceCategory,
            ["EgressIp"] = e.EgressIp,
            ["Sandbox"] = e.Sandbox,
            ["OriginalRecipient"] = e.OriginalRecipient,
        };

    // Recipient, then sequence: a recipient's history is in order, and its last row is where it stands.
    static string EventRowKey(string local, int recipientIndex, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{local}|{recipientIndex:D4}|{sequence:D5}");

    static LedgerMessage Read(TableEntity message, IReadOnlyList<TableEntity> rows)
    {
        var id = new MessageId(message.PartitionKey, message.RowKey);
        var context = new EventMessage(id.ToString(), message.GetString("From") ?? "", message.GetString("MessageIdHeader"), message.GetString("Subject"),
            message.GetString("Tags") is { } tags ? JsonSerializer.Deserialize(tags, StorageJson.Default.IReadOnlyListString) ?? [] : [],
            message.GetString("Metadata") is { } metadata
                ? JsonSerializer.Deserialize(metadata, StorageJson.Default.IReadOnlyDictionaryStringString) ?? ReadOnlyDictionary<string, string>.Empty
                : ReadOnlyDictionary<string, string>.Empty,
            message.GetString("EnvelopeId"));
        var subtenant = message.GetString("Subtenant");
        var spam = message.GetString("Spam") is { } verdict ? JsonSerializer.Deserialize(verdict, StorageJson.Default.SpamVerdict) : null;
        var events = rows.Select(e => ReadEvent(e, id.TenantId, subtenant, spam, context)).OfType<RelayEvent>().OrderBy(e => e.Time).ThenBy(e => e.Sequence).ToList();
        var body = message.GetString("Blob") is { } blob ? new BodyRef(blob, message.GetInt64("Offset") ?? 0, message.GetInt32("Length") ?? 0) : null;
        return new LedgerMessage(id, message.GetDateTimeOffset("AcceptedAt") ?? default, message.GetInt64("Size") ?? 0, ReadRecipients(message), context, events, body, subtenant);
    }

    // A row of a type this version does not know (written by a newer one) is left out rather than failing the read.
    static RelayEvent? ReadEvent(TableEntity e, string tenantId, string? subtenant, Sendarix.Core.Spam.SpamVerdict? spam, EventMessage context) =>
        Enum.TryParse<EventType>(e.GetString("Type"), out var type) && e.GetString("Id") is { } id
            ? new RelayEvent
            {
                SchemaVersion = e.GetInt32("Version") ?? RelayEvent.CurrentSchemaVersion,
                Id = id,
                Type = type,
                Time = e.GetDateTimeOffset("Time") ?? default,
                TenantId = tenantId,
                Subtenant = subtenant,
                Message = context,
                RecipientIndex = e.GetInt32("RecipientIndex") ?? 0,
                Sequence = e.GetInt32("Sequence") ?? 0,
                Recipient = e.GetString("Recipient"),
                Attempt = e.GetInt32("Attempts") ?? 0,
                Deferrals = e.GetInt32("Deferrals") ?? 0,
                Reply = e.GetString("Reply"),
                NextAttempt = e.GetDateTimeOffset("NextAttempt"),
                RemoteHost = e.GetString("RemoteHost"),
                BounceCategory = e.GetString("Category"),
                EgressIp = e.GetString("EgressIp"),
                Sandbox = e.GetBoolean("Sandbox") ?? false,
                OriginalRecipient = e.GetString("OriginalRecipient"),
                Spam = spam,
            }
            : null;
}
