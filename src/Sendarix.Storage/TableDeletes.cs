using Azure;
using Azure.Data.Tables;

namespace Sendarix.Storage;

/// <summary>Deleting rows by key, for the retention sweep.</summary>
internal static class TableDeletes
{
    // Azure Table transactions take at most 100 operations, all in one partition.
    const int MaxTransactionOperations = 100;

    /// <summary>
    /// Deletes rows, a transaction per partition and 100 rows. A row already gone (a sweep cut short and repeated) is
    /// passed over: a transaction with one fails whole, so its rows are then deleted one at a time.
    /// </summary>
    public static async Task DeleteAsync(TableClient table, IEnumerable<(string PartitionKey, string RowKey)> keys, CancellationToken cancellationToken)
    {
        foreach (var chunk in keys.Distinct().GroupBy(k => k.PartitionKey).SelectMany(p => p.Chunk(MaxTransactionOperations)))
        {
            try
            {
                await table.SubmitTransactionAsync(chunk.Select(k =>
                    new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(k.PartitionKey, k.RowKey), ETag.All)), cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                foreach (var (partition, row) in chunk)
                {
                    try
                    {
                        await table.DeleteEntityAsync(partition, row, ETag.All, cancellationToken);
                    }
                    catch (RequestFailedException gone) when (gone.Status == 404)
                    {
                        // Deleted by an earlier sweep.
                    }
                }
            }
        }
    }

    /// <summary>The keys of rows a filter selects (keys only), to delete them.</summary>
    public static async Task<List<(string PartitionKey, string RowKey)>> KeysAsync(TableClient table, string filter, CancellationToken cancellationToken)
    {
        var keys = new List<(string, string)>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            keys.Add((row.PartitionKey, row.RowKey));
        }

        return keys;
    }
}
