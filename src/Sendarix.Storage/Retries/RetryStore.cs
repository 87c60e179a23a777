using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Sendarix.Storage.Queue;

namespace Sendarix.Storage.Retries;

/// <summary>
/// Deferred work, partitioned by destination and keyed by due time, so a destination's due retries are one
/// range query and its next due time is the partition's first row.
/// </summary>
public sealed class RetryStore(StorageClients storage)
{
    const int MaxTransactionOperations = 100;

    const string ItemProperty = "Item";

    TableClient Table => storage.Retries;

    // An item with many recipients, or a message's full tags and metadata, can be longer than one property holds.
    static TableEntity Row(string partition, DateTimeOffset due, DeliveryWorkItem item)
    {
        var row = new TableEntity(partition, RowKey(due, item));
        TableText.Write(row, ItemProperty, JsonSerializer.Serialize(item, StorageJson.Relaxed.DeliveryWorkItem));
        return row;
    }

    public Task AddAsync(string destination, IReadOnlyList<(DateTimeOffset Due, DeliveryWorkItem Item)> entries, CancellationToken cancellationToken)
    {
        var key = PartitionKey(destination);
        var transactions = entries.Chunk(MaxTransactionOperations).Select(chunk => Table.SubmitTransactionAsync(
            chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, Row(key, e.Due, e.Item))),
            cancellationToken));
        return Task.WhenAll(transactions);
    }

    /// <summary>Up to <paramref name="max"/> entries due at <paramref name="now"/>, earliest first.</summary>
    public async Task<IReadOnlyList<RetryEntry>> GetDueAsync(string destination, DateTimeOffset now, int max, CancellationToken cancellationToken)
    {
        var upper = string.Create(CultureInfo.InvariantCulture, $"{now.UtcTicks + 1:D19}");
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey(destination)} and RowKey lt {upper}");
        var due = new List<RetryEntry>();
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(max, 1000), cancellationToken: cancellationToken))
        {
            due.Add(new RetryEntry(row.RowKey, JsonSerializer.Deserialize(TableText.Read(row, ItemProperty)!, StorageJson.Default.DeliveryWorkItem)!));
            if (due.Count >= max)
            {
                break;
            }
        }

        return due;
    }

    /// <summary>How many deferred work items wait for the destination, counting up to <paramref name="max"/>.</summary>
    public async Task<int> CountAsync(string destination, int max, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey(destination)}");
        var count = 0;
        await foreach (var _ in Table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            if (++count >= max)
            {
                break;
            }
        }

        return count;
    }

    /// <summary>When the destination's earliest entry falls due, or null when it has none.</summary>
    public async Task<DateTimeOffset?> GetNextDueAsync(string destination, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey(destination)}");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, maxPerPage: 1, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            return new DateTimeOffset(long.Parse(row.RowKey.AsSpan(0, 19), CultureInfo.InvariantCulture), TimeSpan.Zero);
        }

        return null;
    }

    public Task RemoveAsync(string destination, IEnumerable<RetryEntry> entries, CancellationToken cancellationToken)
    {
        var key = PartitionKey(destination);
        var transactions = entries.Chunk(MaxTransactionOperations).Select(chunk => Table.SubmitTransactionAsync(
            chunk.Select(e => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(key, e.Key), ETag.All)),
            cancellationToken));
        return Task.WhenAll(transactions);
    }

    // Domain names are safe keys except for characters Table storage forbids; map those away.
    static string PartitionKey(string destination) => destination.Replace('/', '_').Replace('\\', '_').Replace('#', '_').Replace('?', '_');

    static string RowKey(DateTimeOffset due, DeliveryWorkItem item) =>
        string.Create(CultureInfo.InvariantCulture, $"{due.UtcTicks:D19}|{item.MessageId}|{item.Recipients[0].Index:D3}");
}

/// <summary>A stored retry: its row key and its work.</summary>
public sealed record RetryEntry(string Key, DeliveryWorkItem Item);
