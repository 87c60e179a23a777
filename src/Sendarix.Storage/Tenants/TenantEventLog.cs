using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Sendarix.Core.Events;

namespace Sendarix.Storage.Tenants;

/// <summary>
/// A tenant's own events (outside any message), newest first: partition per tenant, keys of inverted time and the
/// event id, so an event recorded twice is one row.
/// </summary>
public sealed class TenantEventLog(StorageClients storage)
{
    /// <summary>Stores tenant events; only <c>EventRecorder</c> calls this.</summary>
    public Task AppendAsync(IReadOnlyList<RelayEvent> events, CancellationToken cancellationToken) =>
        Task.WhenAll(events.Select(e => storage.TenantEvents.UpsertEntityAsync(new TableEntity(e.TenantId, RowKey(e))
        {
            ["Id"] = e.Id,
            ["Version"] = e.SchemaVersion,
            ["Type"] = e.Type.ToString(),
            ["Time"] = e.Time,
            ["Username"] = e.Username,
            ["RemoteAddress"] = e.RemoteAddress,
            ["Detail"] = e.Detail,
            ["EndpointId"] = e.EndpointId,
            ["Subtenant"] = e.Subtenant,
            // A refused message's event (spam_rejected) names what was refused and why.
            ["MessageId"] = e.Message?.MessageId,
            ["From"] = e.Message?.From,
            ["MessageIdHeader"] = e.Message?.MessageIdHeader,
            ["Subject"] = e.Message?.Subject,
            ["Recipient"] = e.Recipient,
            ["Spam"] = e.Spam is null ? null : JsonSerializer.Serialize(e.Spam, StorageJson.Relaxed.SpamVerdict),
        }, TableUpdateMode.Replace, cancellationToken)));

    /// <summary>A page of the tenant's events, newest first, after the row <paramref name="after"/>; the next page's cursor, or null at the end.</summary>
    public async Task<(IReadOnlyList<RelayEvent> Items, string? Next)> ListAsync(string tenantId, int limit, string? after, CancellationToken cancellationToken)
    {
        var filter = after is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {tenantId}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {tenantId} and RowKey gt {after}");
        var (events, last, more) = await QueryAsync(tenantId, filter, limit, cancellationToken);
        return (events, more ? last : null);
    }

    /// <summary>Up to <paramref name="max"/> of the tenant's events from <paramref name="oldest"/> to <paramref name="newest"/>, newest first.</summary>
    public async Task<IReadOnlyList<RelayEvent>> ListBetweenAsync(string tenantId, DateTimeOffset oldest, DateTimeOffset newest, int max, CancellationToken cancellationToken)
    {
        var first = Inverted(newest);
        var last = Inverted(oldest) + "~";
        var (events, _, _) = await QueryAsync(tenantId, TableClient.CreateQueryFilter($"PartitionKey eq {tenantId} and RowKey ge {first} and RowKey lt {last}"), max,
            cancellationToken);
        return events;
    }

    /// <summary>Up to <paramref name="max"/> events, the key of the last row read, and whether any row is left after it.</summary>
    async Task<(IReadOnlyList<RelayEvent> Events, string? Last, bool More)> QueryAsync(string tenantId, string filter, int max, CancellationToken cancellationToken)
    {
        var events = new List<RelayEvent>();
        string? last = null;
        await foreach (var row in storage.TenantEvents.QueryAsync<TableEntity>(filter, maxPerPage: max + 1, cancellationToken: cancellationToken))
        {
            if (events.Count == max)
            {
                return (events, last, true);
            }

            last = row.RowKey;
            // A row of a type this version does not know (written by a newer one) is left out.
            if (!Enum.TryParse<EventType>(row.GetString("Type"), out var type) || row.GetString("Id") is not { } id)
            {
                continue;
            }

            events.Add(new RelayEvent
            {
                SchemaVersion = row.GetInt32("Version") ?? RelayEvent.CurrentSchemaVersion,
                Id = id,
                Type = type,
                Time = row.GetDateTimeOffset("Time") ?? default,
                TenantId = tenantId,
                Username = row.GetString("Username"),
                RemoteAddress = row.GetString("RemoteAddress"),
                Detail = row.GetString("Detail"),
                EndpointId = row.GetString("EndpointId"),
                Subtenant = row.GetString("Subtenant"),
                Message = row.GetString("MessageId") is { } messageId
                    ? new EventMessage(messageId, row.GetString("From") ?? "", row.GetString("MessageIdHeader"), row.GetString("Subject"), [],
                        System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty)
                    : null,
                Recipient = row.GetString("Recipient"),
                Spam = row.GetString("Spam") is { } spam ? JsonSerializer.Deserialize(spam, StorageJson.Default.SpamVerdict) : null,
            });
        }

        return (events, last, false);
    }

    /// <summary>Deletes the tenant's events from before <paramref name="cutoff"/> (the retention sweep); returns how many.</summary>
    public async Task<int> DeleteBeforeAsync(string tenantId, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var keys = await TableDeletes.KeysAsync(storage.TenantEvents,
            TableClient.CreateQueryFilter($"PartitionKey eq {tenantId} and RowKey gt {Inverted(cutoff)}"), cancellationToken);
        await TableDeletes.DeleteAsync(storage.TenantEvents, keys, cancellationToken);
        return keys.Count;
    }

    static string RowKey(RelayEvent e) => Inverted(e.Time) + e.Id;

    static string Inverted(DateTimeOffset time) => string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.MaxValue.UtcTicks - time.UtcTicks:D19}");
}
