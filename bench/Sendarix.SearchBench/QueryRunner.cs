using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Sendarix.SearchBench;

/// <summary>
/// Times the first page of message searches through the API, one at a time, each kind in turn: by recipient, by
/// the client's Message-ID, by tag, and by a one-day time range, for values the seeder wrote. Prints one markdown
/// row per kind (p50, p95, p99, max, and the mean number of messages found on the page).
/// </summary>
internal static class QueryRunner
{
    public const string Usage = "usage: Sendarix.SearchBench query API_URL API_KEY MANIFEST [QUERIES_PER_KIND=200]";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length is < 3 or > 4)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var manifest = JsonSerializer.Deserialize<Manifest>(await File.ReadAllTextAsync(args[2]))!;
        var perKind = args.Length == 4 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 200;
        using var api = new HttpClient { BaseAddress = new Uri(args[0]) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", args[1]);
        var random = new Random(7);
        var span = manifest.Newest - manifest.Oldest - TimeSpan.FromDays(1);
        var kinds = new (string Name, Func<string> Query)[]
        {
            ("recipient", () => $"recipient={Uri.EscapeDataString(Pick(manifest.Recipients, random))}"),
            ("Message-ID", () => $"messageId={Uri.EscapeDataString(Pick(manifest.MessageIds, random))}"),
            ("tag", () => $"tag={Uri.EscapeDataString(Pick(manifest.Tags, random))}"),
            ("time range (1 day)", () =>
            {
                var since = manifest.Oldest + span * random.NextDouble();
                return $"since={Uri.EscapeDataString(since.ToString("O"))}&until={Uri.EscapeDataString(since.AddDays(1).ToString("O"))}";
            }),
        };

        // A few unmeasured searches first: connections, JIT and grain activations.
        foreach (var (_, query) in kinds)
        {
            await SearchAsync(api, manifest.TenantId, query());
        }

        Console.WriteLine("| search | queries | p50 ms | p95 ms | p99 ms | max ms | messages on the first page (mean) |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (name, query) in kinds)
        {
            var times = new List<double>();
            var found = 0L;
            for (var i = 0; i < perKind; i++)
            {
                var started = Stopwatch.GetTimestamp();
                found += await SearchAsync(api, manifest.TenantId, query());
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {perKind} | {Percentile(times, 0.50):0.0} | {Percentile(times, 0.95):0.0} | {Percentile(times, 0.99):0.0} | {times[^1]:0.0} | {(double)found / perKind:0.0} |"));
        }

        return 0;
    }

    static async Task<int> SearchAsync(HttpClient api, string tenantId, string query)
    {
        using var response = await api.GetAsync($"/v1/tenants/{tenantId}/messages?{query}&limit=50");
        response.EnsureSuccessStatusCode();
        using var page = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
        return page.RootElement.GetProperty("items").GetArrayLength();
    }

    static string Pick(List<string> values, Random random) => values[random.Next(values.Count)];

    static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
