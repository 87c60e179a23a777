using Azure.Data.Tables;

namespace Sendarix.Storage.Tenants;

/// <summary>
/// Which tenants exist: a row per tenant (id and name), written once by the tenant's grain when it is created. Lists
/// page through it in id order; what a tenant is now (paused, limits, settings) is its grain's to say, not this row's.
/// </summary>
public sealed class TenantDirectory(StorageClients storage)
{
    const string Partition = "tenants";

    public Task AddAsync(string tenantId, string name, DateTimeOffset createdAt, CancellationToken cancellationToken) =>
        storage.Tenants.UpsertEntityAsync(new TableEntity(Partition, tenantId) { ["Name"] = name, ["CreatedAt"] = createdAt },
            TableUpdateMode.Replace, cancellationToken);

    /// <summary>Up to <paramref name="limit"/> tenant ids after <paramref name="after"/> (none: from the first), and the id to page on from, if any.</summary>
    public async Task<(IReadOnlyList<string> Ids, string? Next)> PageAsync(int limit, string? after, CancellationToken cancellationToken)
    {
        var filter = after is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {Partition}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey gt {after}");
        var ids = new List<string>(limit + 1);
        await foreach (var row in storage.Tenants.QueryAsync<TableEntity>(filter, maxPerPage: limit + 1, select: ["RowKey"], cancellationToken: cancellationToken))
        {
            ids.Add(row.RowKey);
            if (ids.Count > limit)
            {
                break;
            }
        }

        return ids.Count > limit ? (ids[..limit], ids[limit - 1]) : (ids, null);
    }

    /// <summary>Every tenant id, in id order.</summary>
    public async IAsyncEnumerable<string> AllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in storage.Tenants.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {Partition}"),
            select: ["RowKey"], cancellationToken: cancellationToken))
        {
            yield return row.RowKey;
        }
    }
}
