using System.Globalization;
using System.Security.Cryptography;
using Azure.Data.Tables;

namespace Sendarix.Storage.Tenants;

/// <summary>A tenant's own events, newest first: partition per tenant, keys of inverted time.</summary>
public sealed class TenantEventLog(StorageClients storage)
{
    public Task AppendAsync(string tenantId, TenantEvent e, CancellationToken cancellationToken)
    {
        var key = string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.MaxValue.UtcTicks - e.Time.UtcTicks:D19}{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
        return storage.TenantEvents.AddEntityAsync(new TableEntity(tenantId, key)
        {
            ["Type"] = e.Type,
            ["Time"] = e.Time,
            ["Username"] = e.Username,
            ["RemoteAddress"] = e.RemoteAddress,
            ["Detail"] = e.Detail,
        }, cancellationToken);
    }

    public async Task<IReadOnlyList<TenantEvent>> ListAsync(string tenantId, int max, CancellationToken cancellationToken)
    {
        var events = new List<TenantEvent>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {tenantId}");
        await foreach (var row in storage.TenantEvents.QueryAsync<TableEntity>(filter, maxPerPage: max, cancellationToken: cancellationToken))
        {
            events.Add(new TenantEvent(row.GetString("Type"), row.GetDateTimeOffset("Time") ?? default, row.GetString("Username"), row.GetString("RemoteAddress"), row.GetString("Detail")));
            if (events.Count == max)
            {
                break;
            }
        }

        return events;
    }
}
