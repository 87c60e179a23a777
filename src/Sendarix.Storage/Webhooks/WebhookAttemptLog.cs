using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Azure.Data.Tables;

namespace Sendarix.Storage.Webhooks;

/// <summary>
/// Each endpoint's delivery attempts, newest first: one row per request (a batch of events, or one event), so a
/// consumer can see what was sent, what came back and when the next try is.
/// </summary>
public sealed class WebhookAttemptLog(StorageClients storage)
{
    TableClient Table => storage.WebhookAttempts;

    public Task AppendAsync(string tenantId, string endpointId, IReadOnlyList<WebhookAttempt> attempts, CancellationToken cancellationToken) =>
        attempts.Count == 0
            ? Task.CompletedTask
            : Task.WhenAll(attempts.Chunk(100).Select(chunk => Table.SubmitTransactionAsync(chunk.Select(a =>
                new TableTransactionAction(TableTransactionActionType.Add, new TableEntity(PartitionKey(tenantId, endpointId), RowKey(a.Time))
                {
                    ["Time"] = a.Time,
                    ["Attempt"] = a.Attempt,
                    ["EventIds"] = JsonSerializer.Serialize(a.EventIds, StorageJson.Default.IReadOnlyListString),
                    ["Status"] = a.Status,
                    ["LatencyMs"] = a.Latency.TotalMilliseconds,
                    ["Error"] = a.Error,
                    ["NextAttempt"] = a.NextAttempt,
                    ["Replay"] = a.Replay,
                })), cancellationToken)));

    /// <summary>A page of the endpoint's attempts, newest first, after the row <paramref name="after"/>; the next page's cursor, or null at the end.</summary>
    public async Task<(IReadOnlyList<WebhookAttempt> Items, string? Next)> ListAsync(string tenantId, string endpointId, int limit, string? after,
        CancellationToken cancellationToken)
    {
        var attempts = new List<WebhookAttempt>();
        var filter = after is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey(tenantId, endpointId)}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {PartitionKey(tenantId, endpointId)} and RowKey gt {after}");
        string? last = null;
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, maxPerPage: limit + 1, cancellationToken: cancellationToken))
        {
            if (attempts.Count == limit)
            {
                return (attempts, last);
            }

            last = row.RowKey;
            attempts.Add(new WebhookAttempt(row.GetDateTimeOffset("Time") ?? default, row.GetInt32("Attempt") ?? 0,
                JsonSerializer.Deserialize(row.GetString("EventIds") ?? "[]", StorageJson.Default.IReadOnlyListString) ?? [],
                row.GetInt32("Status"), TimeSpan.FromMilliseconds(row.GetDouble("LatencyMs") ?? 0), row.GetString("Error"), row.GetDateTimeOffset("NextAttempt"),
                row.GetBoolean("Replay") ?? false));
        }

        return (attempts, null);
    }

    static string PartitionKey(string tenantId, string endpointId) => $"{tenantId}|{endpointId}";

    // Newest first; the random tail keeps two requests of the same tick apart.
    static string RowKey(DateTimeOffset time) =>
        string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.MaxValue.UtcTicks - time.UtcTicks:D19}{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
}

/// <summary>
/// One request to an endpoint: when, which try of its events (1 = first), the events it carried, the HTTP status
/// (null when none came back), how long it took, what went wrong, and when the events are tried next (null: done or given up).
/// </summary>
public sealed record WebhookAttempt(DateTimeOffset Time, int Attempt, IReadOnlyList<string> EventIds, int? Status, TimeSpan Latency, string? Error,
    DateTimeOffset? NextAttempt, bool Replay);
