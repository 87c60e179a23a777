using Azure.Data.Tables;
using Sendarix.Core.Stats;

namespace Sendarix.Storage.Stats;

/// <summary>Reads counts back: one key range per grouping and time span, every writer's rows added up per hour and group.</summary>
public sealed class StatsReader(StorageClients storage)
{
    /// <summary>Each hour's counts per group, for the hours that overlap <paramref name="from"/> to <paramref name="to"/>.</summary>
    public async Task<IReadOnlyList<(DateTimeOffset Hour, string Group, StatsCounts Counts)>> ReadAsync(string scope, StatsGrouping grouping,
        DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var first = StatsSeries.Start(from, StatsInterval.Hour);
        var end = StatsSeries.Start(to.AddTicks(-1), StatsInterval.Hour).AddHours(1);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {scope} and RowKey ge {StatsRows.Prefix(grouping, first)} and RowKey lt {StatsRows.Prefix(grouping, end)}");
        var sums = new Dictionary<(DateTimeOffset, string), StatsCounts>();
        await foreach (var row in storage.Stats.QueryAsync<TableEntity>(filter, maxPerPage: 1000, cancellationToken: cancellationToken))
        {
            var key = StatsRows.KeyOf(row);
            if (!sums.TryGetValue((key.Hour, key.Group), out var sum))
            {
                sums[(key.Hour, key.Group)] = sum = new StatsCounts();
            }

            sum.Add(StatsRows.Read(row));
        }

        return [.. sums.Select(s => (s.Key.Item1, s.Key.Item2, s.Value)).OrderBy(s => s.Item1).ThenBy(s => s.Item2, StringComparer.Ordinal)];
    }
}
