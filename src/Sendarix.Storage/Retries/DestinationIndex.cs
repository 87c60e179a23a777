using Azure;
using Azure.Data.Tables;

namespace Sendarix.Storage.Retries;

/// <summary>
/// Where mail waits: one row per destination that has deferred mail, a back-off or an operator's hold, written by
/// the destination's grain when that starts or stops (never per message), read by the operator's list.
/// </summary>
public sealed class DestinationIndex(StorageClients storage)
{
    const string Partition = "waiting";

    TableClient Table => storage.Destinations;

    public async Task SetListedAsync(string destination, bool listed, CancellationToken cancellationToken)
    {
        if (listed)
        {
            await Table.UpsertEntityAsync(new TableEntity(Partition, destination), TableUpdateMode.Replace, cancellationToken);
            return;
        }

        try
        {
            await Table.DeleteEntityAsync(Partition, destination, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
        }
    }

    /// <summary>Up to <paramref name="max"/> listed destinations, in name order.</summary>
    public async Task<IReadOnlyList<string>> ListAsync(int max, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition}");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, maxPerPage: 1000, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            names.Add(row.RowKey);
            if (names.Count >= max)
            {
                break;
            }
        }

        return names;
    }
}
