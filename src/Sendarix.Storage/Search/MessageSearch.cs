using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using Sendarix.Core.Ids;
using Sendarix.Core.Search;

namespace Sendarix.Storage.Search;

/// <summary>
/// Finds messages, newest first. With an indexed filter, the most selective one's index gives the candidates (a key
/// range: the value, then the message ids in the accepted-between window) and each candidate's summary is read by
/// its key; without one, the tenant's summaries are read in key order, storage skipping those whose flags or
/// subject cannot match. Either way the other filters are checked on each summary. One call looks at no more than
/// <see cref="MaxExamined"/> candidates, so a rare match costs pages rather than one long call: a page may be short
/// and still have a <c>next</c>. The cursor is the id (local part) of the last message looked at.
/// </summary>
public sealed class MessageSearch(StorageClients storage, IOptions<SearchOptions> options)
{
    /// <summary>The most candidates one call looks at.</summary>
    public const int MaxExamined = 1000;

    // Candidates read in parallel: one page of index rows at a time.
    const int CandidateBatch = 100;

    /// <summary>Whether search is kept (<see cref="SearchOptions.Enabled"/>); when not, there is nothing to search.</summary>
    public bool Enabled => options.Value.Enabled;

    /// <summary>A page of one tenant's messages that match, after the message <paramref name="after"/> (exclusive).</summary>
    public async Task<SearchPage> SearchAsync(string tenantId, MessageQuery query, int limit, string? after, CancellationToken cancellationToken)
    {
        var (newest, oldest) = MessageId.LocalRange(query.Until ?? DateTimeOffset.MaxValue, query.Since ?? DateTimeOffset.UnixEpoch);
        var items = new List<MessageSummary>();
        var examined = 0;
        string? last = null;
        if (query.Driver is { } driver)
        {
            var table = storage.SearchIndex(driver.Field);
            var filter = KeyRange(tenantId, $"{driver.Key}|", newest, oldest, after);
            await foreach (var page in table.QueryAsync<TableEntity>(filter, CandidateBatch, ["RowKey"], cancellationToken).AsPages())
            {
                var locals = page.Values.Select(r => r.RowKey[(r.RowKey.LastIndexOf('|') + 1)..]).ToList();
                var summaries = await Task.WhenAll(locals.Select(local => GetAsync(tenantId, local, cancellationToken)));
                for (var i = 0; i < locals.Count; i++)
                {
                    last = locals[i];
                    if (summaries[i] is { } summary && query.Matches(summary))
                    {
                        items.Add(summary);
                    }

                    if (items.Count == limit || ++examined == MaxExamined)
                    {
                        return new SearchPage(items, last);
                    }
                }
            }

            return new SearchPage(items, null);
        }

        var scan = KeyRange(tenantId, "", newest, oldest, after) + Narrowing(query);
        await foreach (var row in storage.SearchSummaries.QueryAsync<TableEntity>(scan, Math.Max(limit, CandidateBatch), cancellationToken: cancellationToken))
        {
            last = row.RowKey;
            var summary = SummaryRows.Read(row);
            if (query.Matches(summary))
            {
                items.Add(summary);
            }

            if (items.Count == limit || ++examined == MaxExamined)
            {
                return new SearchPage(items, last);
            }
        }

        return new SearchPage(items, null);
    }

    /// <summary>
    /// A page across tenants (an operator's search): each tenant's page, merged newest first. Where a tenant's page
    /// stopped short of its end, the merged page stops there too, so nothing of that tenant's is passed over.
    /// </summary>
    public async Task<SearchPage> SearchAllAsync(IReadOnlyList<string> tenantIds, MessageQuery query, int limit, string? after, CancellationToken cancellationToken)
    {
        var pages = new List<SearchPage>();
        foreach (var chunk in tenantIds.Chunk(8))
        {
            pages.AddRange(await Task.WhenAll(chunk.Select(t => SearchAsync(t, query, limit, after, cancellationToken))));
        }

        var boundary = pages.Where(p => p.Next is not null).Select(p => p.Next!).Min(StringComparer.Ordinal);
        var merged = pages.SelectMany(p => p.Items)
            .Select(m => (Summary: m, Local: MessageId.Parse(m.MessageId).Local))
            .Where(m => boundary is null || string.CompareOrdinal(m.Local, boundary) <= 0)
            .OrderBy(m => m.Local, StringComparer.Ordinal)
            .Take(limit)
            .ToList();
        var next = merged.Count == limit ? merged[^1].Local : boundary;
        return new SearchPage([.. merged.Select(m => m.Summary)], next);
    }

    async Task<MessageSummary?> GetAsync(string tenantId, string local, CancellationToken cancellationToken)
    {
        var row = await storage.SearchSummaries.GetEntityIfExistsAsync<TableEntity>(tenantId, local, cancellationToken: cancellationToken);
        return row.HasValue ? SummaryRows.Read(row.Value!) : null;
    }

    /// <summary>The rows under <paramref name="prefix"/> for messages between two ids (inclusive), after the cursor.</summary>
    static string KeyRange(string tenantId, string prefix, string newest, string oldest, string? after)
    {
        var upper = prefix + oldest;
        return after is not null && string.CompareOrdinal(after, newest) >= 0
            ? TableClient.CreateQueryFilter($"PartitionKey eq {tenantId} and RowKey gt {prefix + after} and RowKey le {upper}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {tenantId} and RowKey ge {prefix + newest} and RowKey le {upper}");
    }

    /// <summary>Conditions storage can check on a summary row, so rows that cannot match are not sent at all.</summary>
    static string Narrowing(MessageQuery query)
    {
        var conditions = new List<string>();
        if (query.Status is { } status)
        {
            conditions.Add($"{SummaryRows.StatusFlag(status)} eq true");
        }

        if (query.Subtenant is { } subtenant)
        {
            conditions.Add(TableClient.CreateQueryFilter($"Subtenant eq {subtenant.Trim().ToLowerInvariant()}"));
        }

        if (query.BounceCategory is { } category)
        {
            conditions.Add($"{SummaryRows.CategoryFlag(category)} eq true");
        }

        // The end of the range is the prefix with its last character's successor: left to the summary check when
        // that would be no character at all (a surrogate).
        if (query.SubjectPrefix is { } subject && SummaryRows.SubjectKey(subject) is { Length: > 0 } prefix && !prefix.Any(char.IsSurrogate) && prefix[^1] < '\uD7FF')
        {
            var end = prefix[..^1] + (char)(prefix[^1] + 1);
            conditions.Add($"{SummaryRows.SubjectKeyProperty} ge {TableClient.CreateQueryFilter($"{prefix}")} and {SummaryRows.SubjectKeyProperty} lt {TableClient.CreateQueryFilter($"{end}")}");
        }

        return string.Concat(conditions.Select(c => " and " + c));
    }
}

/// <summary>A page of search results, and where the next starts (null at the end).</summary>
public sealed record SearchPage(IReadOnlyList<MessageSummary> Items, string? Next);
