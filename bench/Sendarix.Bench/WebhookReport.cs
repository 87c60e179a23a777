using System.Globalization;

namespace Sendarix.Bench;

/// <summary>
/// Reads the receiver's log and the ids of the messages the load generator had accepted, and waits (up to a limit)
/// until every endpoint has both the accepted and the delivered event of every one of them. Prints one WEBHOOKS line:
/// per endpoint, the messages missing either event, the duplicate deliveries (an event id received again), and the
/// lag from event time to receipt (p50, p99, max).
/// </summary>
internal static class WebhookReport
{
    public const string Usage = "usage: Sendarix.Bench webhook-report LOG_FILE IDS_FILE ENDPOINTS WAIT_S";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 4 || !double.TryParse(args[3], CultureInfo.InvariantCulture, out var wait))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var ids = File.ReadAllLines(args[1]).Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal);
        var endpoints = args[2].Split(',', StringSplitOptions.RemoveEmptyEntries);
        var deadline = DateTime.UtcNow.AddSeconds(wait);
        var started = DateTime.UtcNow;
        while (true)
        {
            var summary = Summarise(args[0], ids, endpoints);
            if (summary.All(s => s.Missing == 0) || DateTime.UtcNow > deadline)
            {
                var line = string.Join(' ', summary.Select(s => string.Create(CultureInfo.InvariantCulture,
                    $"{s.Endpoint}_missing={s.Missing} {s.Endpoint}_events={s.Events} {s.Endpoint}_duplicates={s.Duplicates} {s.Endpoint}_lag_p50_ms={s.P50:F0} {s.Endpoint}_lag_p99_ms={s.P99:F0} {s.Endpoint}_lag_max_ms={s.Max:F0}")));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"WEBHOOKS messages={ids.Count} waited_s={(DateTime.UtcNow - started).TotalSeconds:F1} {line}"));
                return 0;
            }

            await Task.Delay(500);
        }
    }

    static List<EndpointSummary> Summarise(string log, HashSet<string> ids, string[] endpoints)
    {
        var lines = File.Exists(log) ? ReadShared(log) : [];
        var result = new List<EndpointSummary>();
        foreach (var endpoint in endpoints)
        {
            var accepted = new HashSet<string>(StringComparer.Ordinal);
            var delivered = new HashSet<string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var lags = new List<double>();
            var duplicates = 0;
            var events = 0;
            foreach (var f in lines.Where(f => f[0] == endpoint && ids.Contains(f[2])))
            {
                events++;
                if (!seen.Add(f[3]))
                {
                    duplicates++;
                    continue;
                }

                (f[1] == "accepted" ? accepted : f[1] == "delivered" ? delivered : null)?.Add(f[2]);
                lags.Add(long.Parse(f[5], CultureInfo.InvariantCulture) - long.Parse(f[4], CultureInfo.InvariantCulture));
            }

            lags.Sort();
            result.Add(new EndpointSummary(endpoint, ids.Count(id => !accepted.Contains(id) || !delivered.Contains(id)), events, duplicates,
                Percentile(lags, 0.50), Percentile(lags, 0.99), lags.Count > 0 ? lags[^1] : 0));
        }

        return result;
    }

    // The receiver is still appending: read what is there without locking it out, whole lines only.
    static List<string[]> ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var text = reader.ReadToEnd();
        var end = text.LastIndexOf('\n');
        return end < 0 ? [] : text[..end].Split('\n').Select(l => l.Split('\t')).Where(f => f.Length == 6).ToList();
    }

    static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    sealed record EndpointSummary(string Endpoint, int Missing, int Events, int Duplicates, double P50, double P99, double Max);
}
