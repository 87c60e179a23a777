using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Sendarix.Bench;

/// <summary>
/// The relay's own timings over the measured window, from its Prometheus endpoint read at the window's start and end:
/// the mean time from the end of a message's data to its reply, of that the wait in the acceptor, a group commit's
/// storage time and size, and each storage call's time. With the client's mean latency they show where a 250's time goes.
/// </summary>
internal sealed class RelayTimings(Uri endpoint, Uri? storage)
{
    // (result field, histogram, label that must be present or null, scale of the mean)
    static readonly (string Field, string Metric, string? Label, double Scale)[] Means =
    [
        ("data_ms", "sendarix_smtp_data_duration_seconds", null, 1000),
        ("wait_ms", "sendarix_acceptance_wait_seconds", null, 1000),
        ("commit_ms", "sendarix_commit_duration_seconds", null, 1000),
        ("batch", "sendarix_commit_batch_size", null, 1),
        ("body_ms", "sendarix_commit_storage_duration_seconds", "operation=\"body\"", 1000),
        ("rows_ms", "sendarix_commit_storage_duration_seconds", "operation=\"rows\"", 1000),
        ("work_ms", "sendarix_commit_storage_duration_seconds", "operation=\"work\"", 1000),
    ];

    static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>Reads the endpoint at the window's start and end; the fields for the result line, empty when it could not be read.</summary>
    public async Task<string> MeasureAsync(Timeline timeline)
    {
        await Until(timeline.MeasureStart);
        var probe = storage is null ? Task.FromResult("") : ProbeAsync(storage, timeline);
        var before = await ScrapeAsync();
        await Until(timeline.End);
        var after = await ScrapeAsync();
        if (before is null || after is null)
        {
            return await probe;
        }

        var fields = new StringBuilder();
        if (Percentile(before, after, "sendarix_acceptance_wait_seconds", 0.99) is { } waitP99)
        {
            fields.Append(CultureInfo.InvariantCulture, $" wait_p99_ms={waitP99 * 1000:0}");
        }

        foreach (var (field, metric, label, scale) in Means)
        {
            var count = Total(after, metric + "_count", label) - Total(before, metric + "_count", label);
            var sum = Total(after, metric + "_sum", label) - Total(before, metric + "_sum", label);
            if (count > 0)
            {
                fields.Append(CultureInfo.InvariantCulture, $" {field}={sum / count * scale:0.00}");
            }
        }

        return fields.Append(await probe).ToString();
    }

    /// <summary>
    /// A quantile of a histogram over the window, from its bucket counts: the upper bound of the bucket it falls in
    /// (so "at most this"), null without samples.
    /// </summary>
    static double? Percentile(List<(string Name, string Labels, double Value)> before, List<(string Name, string Labels, double Value)> after, string metric, double q)
    {
        var buckets = after.Where(s => s.Name == metric + "_bucket")
            .Select(s => (Le: Bound(s.Labels), Count: s.Value - before.Where(b => b.Name == s.Name && b.Labels == s.Labels).Sum(b => b.Value)))
            .Where(b => b.Le is not null)
            .GroupBy(b => b.Le!.Value).Select(g => (Le: g.Key, Count: g.Sum(b => b.Count))).OrderBy(b => b.Le).ToList();
        if (buckets.Count == 0 || buckets[^1].Count <= 0)
        {
            return null;
        }

        var target = q * buckets[^1].Count;
        return buckets.First(b => b.Count >= target).Le;
    }

    static double? Bound(string labels)
    {
        var at = labels.IndexOf("le=\"", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var text = labels[(at + 4)..labels.IndexOf('"', at + 4)];
        return text == "+Inf" ? double.PositiveInfinity : double.Parse(text, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Asks the storage endpoint for nothing every 100 ms through the window and times each answer: how long storage
    /// itself keeps a caller waiting, whatever the relay does (Azurite stops answering while it saves its database).
    /// </summary>
    static async Task<string> ProbeAsync(Uri url, Timeline timeline)
    {
        var times = new List<double>();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        while (Stopwatch.GetTimestamp() < timeline.End)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.GetAsync(url);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                continue;
            }

            times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        if (times.Count == 0)
        {
            return "";
        }

        times.Sort();
        return string.Create(CultureInfo.InvariantCulture,
            $" storage_probe_p50_ms={times[times.Count / 2]:0.0} storage_probe_p99_ms={times[(int)Math.Min(times.Count - 1, Math.Ceiling(times.Count * 0.99) - 1)]:0.0} storage_probe_max_ms={times[^1]:0.0} storage_probes={times.Count}");
    }

    static async Task Until(long timestamp)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }

    async Task<List<(string Name, string Labels, double Value)>?> ScrapeAsync()
    {
        try
        {
            var text = await Http.GetStringAsync(endpoint);
            var samples = new List<(string, string, double)>();
            foreach (var line in text.Split('\n'))
            {
                if (line.Length == 0 || line[0] == '#')
                {
                    continue;
                }

                var brace = line.IndexOf('{', StringComparison.Ordinal);
                var space = line.LastIndexOf(' ');
                if (space <= 0)
                {
                    continue;
                }

                var name = brace > 0 ? line[..brace] : line[..space];
                var labels = brace > 0 ? line[brace..(line.LastIndexOf('}') + 1)] : "";
                if (double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    samples.Add((name, labels, value));
                }
            }

            return samples;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"bench: the metrics at {endpoint} could not be read: {ex.Message}");
            return null;
        }
    }

    static double Total(List<(string Name, string Labels, double Value)> samples, string name, string? label) =>
        samples.Where(s => s.Name == name && (label is null || s.Labels.Contains(label, StringComparison.Ordinal))).Sum(s => s.Value);
}
