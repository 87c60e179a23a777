using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Sendarix.Bench;

/// <summary>
/// The relay's own timings over the measured window, from its Prometheus endpoint read at the window's start and end:
/// the mean time from the end of a message's data to its reply, of that the wait in the acceptor, a group commit's
/// storage time and size, and each storage call's time. With the client's mean latency they show where a 250's time goes.
/// </summary>
internal sealed class RelayTimings(Uri endpoint)
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
        var before = await ScrapeAsync();
        await Until(timeline.End);
        var after = await ScrapeAsync();
        if (before is null || after is null)
        {
            return "";
        }

        var fields = new StringBuilder();
        foreach (var (field, metric, label, scale) in Means)
        {
            var count = Total(after, metric + "_count", label) - Total(before, metric + "_count", label);
            var sum = Total(after, metric + "_sum", label) - Total(before, metric + "_sum", label);
            if (count > 0)
            {
                fields.Append(CultureInfo.InvariantCulture, $" {field}={sum / count * scale:0.00}");
            }
        }

        return fields.ToString();
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
