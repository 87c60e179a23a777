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
/// The message row ("{id}") is the acceptance: envelope, recipients and where the body is. A recipient's events are
/// rows ("{id}|{recipient}|{sequence}") right behind it, the events recorded together in one row, so a message and
/// its history are one range of keys and a tenant's messages list newest first (the id starts with the inverted
/// time). Writing only rows that are added keeps storage work to one row per message and one per recipient and round.
/// </summary>
public sealed class MessageLedger(StorageClients storage)
{
    // Azure Table transactions take at most 100 operations, all in one partition.
    const int MaxTransactionOperations = 100;

    const string RecipientsProperty = "Recipients";

    // An event takes 16 properties; a row may hold 255 (with its keys and timestamp).
    const int MaxEventsPerRow = 8;

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
            m.EventRows.Select(row => (m.Id.TenantId, row)).Append((m.Id.TenantId, m.Id.Local))), cancellationToken);

    /// <summary>Whether the message row is stored: the acceptance stands.</summary>
    public async Task<bool> ExistsAsync(MessageId id, CancellationToken cancellationToken) =>
        (await Table.GetEntityIfExistsAsync<TableEntity>(id.TenantId, id.Local, ["RowKey"], cancellationToken)).HasValue;

    /// <summary>
    /// Stores message events: the events of one recipient recorded together (a round's <c>accepted</c> and its outcome)
    /// share one row, keyed by recipient and the first one's sequence. Recording the same step again (an attempt
    /// repeated after a crash) groups the same events and replaces the row instead of adding a second one. A row is
    /// a table operation, which is what storage spends its work on, whatever the row's size. Only
    /// <c>EventRecorder</c> calls this.
    /// </summary>
    public Task AppendAsync(IReadOnlyList<RelayEvent> events, CancellationToken cancellationToken) =>
        SubmitAsync(events
            .GroupBy(e => (e.TenantId, e.Message!.MessageId, e.RecipientIndex))
            .SelectMany(recipient => recipient.OrderBy(e => e.Sequence).Chunk(MaxEventsPerRow))
            .Select(round => (round[0].TenantId, new TableTransactionAction(TableTransactionActionType.UpsertReplace, NewEventRow(round)))), cancellationToken);

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

    /// <summary>
    /// A row of one recipient's events recorded together: the first one's properties under their own names (as a row
    /// of one event has them), each further one's with a suffix ("Type_1", "Time_1", ...).
    /// </summary>
    static TableEntity NewEventRow(RelayEvent[] events)
    {
        var first = events[0];
        var row = new TableEntity(first.TenantId, EventRowKey(MessageId.Parse(first.Message!.MessageId).Local, first.RecipientIndex, first.Sequence));
        for (var i = 0; i < events.Length; i++)
        {
            var e = events[i];
            var suffix = i == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"_{i}");
            row["Id" + suffix] = e.Id;
            row["Version" + suffix] = e.SchemaVersion;
            row["Type" + suffix] = e.Type.ToString();
            row["Time" + suffix] = e.Time;
            row["RecipientIndex" + suffix] = e.RecipientIndex;
            row["Sequence" + suffix] = e.Sequence;
            row["Recipient" + suffix] = e.Recipient;
            row["Attempts" + suffix] = e.Attempt;
            row["Deferrals" + suffix] = e.Deferrals;
            row["Reply" + suffix] = e.Reply;
            row["NextAttempt" + suffix] = e.NextAttempt;
            row["RemoteHost" + suffix] = e.RemoteHost;
            row["Category" + suffix] = e.BounceCategory;
            row["EgressIp" + suffix] = e.EgressIp;
            row["Sandbox" + suffix] = e.Sandbox;
            row["OriginalRecipient" + suffix] = e.OriginalRecipient;
        }

        return row;
    }

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
        // A step is one event however its rows were grouped when it was written (a round recorded again the same way
        // replaces its row; rows written one event each by an earlier version may sit beside a grouped one).
        var events = rows.SelectMany(row => ReadEvents(row, id.TenantId, subtenant, spam, context))
            .DistinctBy(e => (e.RecipientIndex, e.Sequence))
            .OrderBy(e => e.Time).ThenBy(e => e.Sequence).ToList();
        var body = message.GetString("Blob") is { } blob ? new BodyRef(blob, message.GetInt64("Offset") ?? 0, message.GetInt32("Length") ?? 0) : null;
        return new LedgerMessage(id, message.GetDateTimeOffset("AcceptedAt") ?? default, message.GetInt64("Size") ?? 0, ReadRecipients(message), context, events, body, subtenant)
        {
            EventRows = [.. rows.Select(row => row.RowKey)],
        };
    }

    /// <summary>The events a row holds: its first under the plain property names, then those with suffixes _1, _2, ...</summary>
    static IEnumerable<RelayEvent> ReadEvents(TableEntity row, string tenantId, string? subtenant, Sendarix.Core.Spam.SpamVerdict? spam, EventMessage context)
    {
        for (var i = 0; i < MaxEventsPerRow; i++)
        {
            var suffix = i == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"_{i}");
            if (!row.ContainsKey("Id" + suffix))
            {
                yield break;
            }

            if (ReadEvent(row, suffix, tenantId, subtenant, spam, context) is { } e)
            {
                yield return e;
            }
        }
    }

    // An event of a type this version does not know (written by a newer one) is left out rather than failing the read.
    static RelayEvent? ReadEvent(TableEntity e, string suffix, string tenantId, string? subtenant, Sendarix.Core.Spam.SpamVerdict? spam, EventMessage context) =>
        Enum.TryParse<EventType>(e.GetString("Type" + suffix), out var type) && e.GetString("Id" + suffix) is { } id
            ? new RelayEvent
            {
                SchemaVersion = e.GetInt32("Version" + suffix) ?? RelayEvent.CurrentSchemaVersion,
                Id = id,
                Type = type,
                Time = e.GetDateTimeOffset("Time" + suffix) ?? default,
                TenantId = tenantId,
                Subtenant = subtenant,
                Message = context,
                RecipientIndex = e.GetInt32("RecipientIndex" + suffix) ?? 0,
                Sequence = e.GetInt32("Sequence" + suffix) ?? 0,
                Recipient = e.GetString("Recipient" + suffix),
                Attempt = e.GetInt32("Attempts" + suffix) ?? 0,
                Deferrals = e.GetInt32("Deferrals" + suffix) ?? 0,
                Reply = e.GetString("Reply" + suffix),
                NextAttempt = e.GetDateTimeOffset("NextAttempt" + suffix),
                RemoteHost = e.GetString("RemoteHost" + suffix),
                BounceCategory = e.GetString("Category" + suffix),
                EgressIp = e.GetString("EgressIp" + suffix),
                Sandbox = e.GetBoolean("Sandbox" + suffix) ?? false,
                OriginalRecipient = e.GetString("OriginalRecipient" + suffix),
                Spam = spam,
            }
            : null;
}
