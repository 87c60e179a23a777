using Azure.Data.Tables;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Sendarix.Storage;

namespace Sendarix.Host.Health;

/// <summary>
/// Ready only while storage answers: one cheap call each to the tables, the delivery queue and the bodies' container
/// (and the reporting account's tables), in parallel. A node that cannot reach storage could accept nothing durably.
/// </summary>
internal sealed class StorageHealthCheck(StorageClients storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await Task.WhenAll(
                FirstPageAsync(storage.Messages, cancellationToken),
                FirstPageAsync(storage.Stats, cancellationToken),
                storage.Delivery.GetPropertiesAsync(cancellationToken),
                storage.Bodies.GetPropertiesAsync(cancellationToken: cancellationToken));
            return HealthCheckResult.Healthy("Tables, queue and blobs answer.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("Storage does not answer.", ex);
        }
    }

    // A query for a partition that never exists: one round trip, no rows.
    static async Task FirstPageAsync(TableClient table, CancellationToken cancellationToken)
    {
        await foreach (var _ in table.QueryAsync<TableEntity>("PartitionKey eq '~health'", maxPerPage: 1, select: ["PartitionKey"], cancellationToken).AsPages())
        {
            return;
        }
    }
}
