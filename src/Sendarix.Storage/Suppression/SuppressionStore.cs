using System.Text;
using Azure;
using Azure.Data.Tables;

namespace Sendarix.Storage.Suppression;

/// <summary>
/// Suppression lists, one partition per tenant, one row per address. Row keys are the address Base64url-encoded,
/// since addresses may hold characters Table storage does not allow in keys; the address itself is a property.
/// </summary>
public sealed class SuppressionStore(StorageClients storage)
{
    const int MaxTransactionOperations = 100;

    TableClient Table => storage.Suppressions;

    public Task AddAsync(string tenantId, IReadOnlyList<Suppression> entries, CancellationToken cancellationToken) =>
        Task.WhenAll(entries.DistinctBy(e => e.Address).Chunk(MaxTransactionOperations).Select(chunk => Table.SubmitTransactionAsync(
            chunk.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, new TableEntity(tenantId, Key(e.Address))
            {
                ["Address"] = e.Address,
                ["Reason"] = e.Reason,
                ["CreatedAt"] = e.CreatedAt,
                ["MessageId"] = e.MessageId,
            })), cancellationToken)));

    public async Task<bool> RemoveAsync(string tenantId, string address, CancellationToken cancellationToken)
    {
        try
        {
            await Table.DeleteEntityAsync(tenantId, Key(address), ETag.All, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
    }

    /// <summary>Every entry of a tenant, in key order.</summary>
    public async IAsyncEnumerable<Suppression> AllAsync(string tenantId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in Table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {tenantId}"), cancellationToken: cancellationToken))
        {
            yield return new Suppression(row.GetString("Address"), row.GetString("Reason"), row.GetDateTimeOffset("CreatedAt") ?? default, row.GetString("MessageId"));
        }
    }

    static string Key(string address) => Convert.ToBase64String(Encoding.UTF8.GetBytes(address)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
