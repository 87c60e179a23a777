using System.Globalization;
using System.Text;

namespace Sendarix.Bench;

/// <summary>Formats the results: one machine-readable RESULT line of key=value fields, and a summary of the errors.</summary>
internal static class Report
{
    public static string ResultLine(IReadOnlyList<WorkerStats> stats, TimeSpan duration, SinkReport? sink)
    {
        var latencies = stats.SelectMany(s => s.Latencies).ToArray();
        Array.Sort(latencies);
        var accepted = latencies.LongLength;
        var r4 = stats.Sum(s => s.Replies4xx);
        var r5 = stats.Sum(s => s.Replies5xx);
        var other = stats.Sum(s => s.OtherErrors);
        var line = new StringBuilder("RESULT");
        Add(line, "accepted", accepted);
        Add(line, "seconds", duration.TotalSeconds, "0.###");
        Add(line, "rate", accepted / duration.TotalSeconds, "0.0");
        Add(line, "p50_ms", Percentile(latencies, 0.50), "0.0");
        Add(line, "p99_ms", Percentile(latencies, 0.99), "0.0");
        Add(line, "errors", r4 + r5 + other);
        Add(line, "replies_4xx", r4);
        Add(line, "replies_5xx", r5);
        Add(line, "other_errors", other);
        Add(line, "p90_ms", Percentile(latencies, 0.90), "0.0");
        Add(line, "max_ms", latencies.Length > 0 ? latencies[^1] : 0, "0.0");
        Add(line, "mean_ms", latencies.Length > 0 ? latencies.Average() : 0, "0.0");
        Add(line, "connects", stats.Sum(s => s.Connects));
        Add(line, "warmup_accepted", stats.Sum(s => s.WarmupAccepted));
        Add(line, "warmup_errors", stats.Sum(s => s.WarmupErrors));
        Add(line, "total_accepted", stats.Sum(s => s.TotalAccepted));
        if (sink is not null)
        {
            Add(line, "window_delivered", sink.WindowDelivered);
            Add(line, "window_delivery_rate", sink.WindowRate, "0.0");
            Add(line, "delivered", sink.Delivered);
            Add(line, "e2e_seconds", sink.Seconds, "0.00");
            Add(line, "e2e_rate", sink.Rate, "0.0");
            Add(line, "drain_seconds", sink.DrainSeconds, "0.00");
            Add(line, "backlog_at_close", sink.BacklogAtClose);
            Add(line, "undelivered", sink.Undelivered);
        }

        return line.ToString();
    }

    public static string Errors(IReadOnlyList<WorkerStats> stats)
    {
        var kinds = stats.SelectMany(s => s.ErrorKinds)
            .GroupBy(k => k.Key, k => k.Value)
            .Select(g => (Kind: g.Key, Count: g.Sum()))
            .OrderByDescending(k => k.Count)
            .ToList();
        var text = new StringBuilder();
        foreach (var (kind, count) in kinds.Take(10))
        {
            text.Append(CultureInfo.InvariantCulture, $"bench: error x{count}: {kind}\n");
        }

        if (kinds.Count > 10)
        {
            text.Append(CultureInfo.InvariantCulture, $"bench: ... and {kinds.Count - 10} other kinds of error\n");
        }

        return text.ToString();
    }

    // Nearest rank: the smallest latency that at least this fraction of the messages did not exceed.
    static double Percentile(double[] sorted, double fraction) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Length) - 1, 0, sorted.Length - 1)];

    static void Add(StringBuilder line, string key, long value) =>
        line.Append(' ').Append(key).Append('=').Append(value.ToString(CultureInfo.InvariantCulture));

    static void Add(StringBuilder line, string key, double value, string format) =>
        line.Append(' ').Append(key).Append('=').Append(value.ToString(format, CultureInfo.InvariantCulture));
}
