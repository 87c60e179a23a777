namespace Sendarix.Core.Stats;

/// <summary>How long each interval of a statistics series is.</summary>
public enum StatsInterval
{
    Hour,
    Day,
}

/// <summary>
/// Hourly counts folded into intervals (UTC hours or days) from <c>from</c> to <c>to</c>: every interval is there,
/// empty or not, each with its groups in name order.
/// </summary>
public static class StatsSeries
{
    public static DateTimeOffset Start(DateTimeOffset t, StatsInterval interval)
    {
        var u = t.UtcDateTime;
        return new DateTimeOffset(interval == StatsInterval.Day ? u.Date : u.Date.AddHours(u.Hour), TimeSpan.Zero);
    }

    public static TimeSpan Length(StatsInterval interval) => interval == StatsInterval.Day ? TimeSpan.FromDays(1) : TimeSpan.FromHours(1);

    /// <summary>The intervals that cover <paramref name="from"/> to <paramref name="to"/>, with the counts in each, per group.</summary>
    public static IReadOnlyList<(DateTimeOffset Start, IReadOnlyList<(string Group, StatsCounts Counts)> Groups)> Of(
        IEnumerable<(DateTimeOffset Hour, string Group, StatsCounts Counts)> hours, StatsInterval interval, DateTimeOffset from, DateTimeOffset to)
    {
        var byInterval = new SortedDictionary<DateTimeOffset, SortedDictionary<string, StatsCounts>>();
        for (var start = Start(from, interval); start < to; start += Length(interval))
        {
            byInterval[start] = new SortedDictionary<string, StatsCounts>(StringComparer.Ordinal);
        }

        foreach (var (hour, group, counts) in hours)
        {
            if (!byInterval.TryGetValue(Start(hour, interval), out var groups))
            {
                continue;
            }

            if (!groups.TryGetValue(group, out var sum))
            {
                groups[group] = sum = new StatsCounts();
            }

            sum.Add(counts);
        }

        return [.. byInterval.Select(i => (i.Key, (IReadOnlyList<(string, StatsCounts)>)[.. i.Value.Select(g => (g.Key, g.Value))]))];
    }
}
