using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Sendarix.Core.Ids;
using Sendarix.Storage.Queue;

namespace Sendarix.Storage.Held;

/// <summary>A message held back as spam: its work, as it goes to delivery if released, and when it expires.</summary>
public sealed record HeldMessage(DeliveryWorkItem Work, DateTimeOffset HeldAt, DateTimeOffset ExpiresAt);

/// <summary>
/// Held messages, one row each (partition = tenant, row = the message's local id, so newest first), holding the work
/// item that goes to the delivery queue if the message is released. Delivery writes a row when it first takes the
/// message; the tenant's held-mail grain is the one that removes it (released, deleted or expired).
/// </summary>
public sealed class HeldMailStore(StorageClients storage)
{
    const string WorkProperty = "Work";

    TableClient Table => storage.Held;

    /// <summary>Writes the rows (again, unchanged, when the same work is taken twice).</summary>
    public Task AddAsync(IReadOnlyList<HeldMessage> held, CancellationToken cancellationToken) =>
        Task.WhenAll(held.GroupBy(h => h.Work.TenantId).SelectMany(tenant => tenant.Chunk(100)).Select(chunk => Table.SubmitTransactionAsync(
            chunk.Select(h => new TableTransactionAction(TableTransactionActionType.UpsertReplace, Row(h))), cancellationToken)));

    public async Task<HeldMessage?> GetAsync(MessageId id, CancellationToken cancellationToken)
    {
        var row = await Table.GetEntityIfExistsAsync<TableEntity>(id.TenantId, id.Local, cancellationToken: cancellationToken);
        return row.HasValue ? Read(row.Value!) : null;
    }

    /// <summary>A page of the tenant's held messages, newest first, from after <paramref name="after"/> (a local id).</summary>
    public async Task<(IReadOnlyList<HeldMessage> Items, string? Next)> PageAsync(string tenantId, int limit, string? after, CancellationToken cancellationToken)
    {
        var filter = after is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {tenantId}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {tenantId} and RowKey gt {after}");
        var items = new List<HeldMessage>(limit);
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit + 1, 1000), cancellationToken: cancellationToken))
        {
            if (items.Count == limit)
            {
                return (items, MessageId.Parse(items[^1].Work.MessageId).Local);
            }

            items.Add(Read(row));
        }

        return (items, null);
    }

    /// <summary>The tenant's held messages that expired by <paramref name="now"/>, up to <paramref name="max"/>.</summary>
    public async Task<IReadOnlyList<HeldMessage>> ExpiredAsync(string tenantId, DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {tenantId} and ExpiresAt le {now}");
        var expired = new List<HeldMessage>();
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            expired.Add(Read(row));
            if (expired.Count == max)
            {
                break;
            }
        }

        return expired;
    }

    public async Task<bool> AnyAsync(string tenantId, CancellationToken cancellationToken)
    {
        await foreach (var _ in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {tenantId}"), maxPerPage: 1, select: ["RowKey"],
                           cancellationToken: cancellationToken))
        {
            return true;
        }

        return false;
    }

    public async Task RemoveAsync(MessageId id, CancellationToken cancellationToken)
    {
        try
        {
            await Table.DeleteEntityAsync(id.TenantId, id.Local, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    static TableEntity Row(HeldMessage h)
    {
        var id = MessageId.Parse(h.Work.MessageId);
        var row = new TableEntity(id.TenantId, id.Local) { ["HeldAt"] = h.HeldAt, ["ExpiresAt"] = h.ExpiresAt };
        TableText.Write(row, WorkProperty, JsonSerializer.Serialize(h.Work, StorageJson.Relaxed.DeliveryWorkItem));
        return row;
    }

    static HeldMessage Read(TableEntity row) => new(
        JsonSerializer.Deserialize(TableText.Read(row, WorkProperty)!, StorageJson.Default.DeliveryWorkItem)!,
        row.GetDateTimeOffset("HeldAt") ?? default, row.GetDateTimeOffset("ExpiresAt") ?? default);
}
