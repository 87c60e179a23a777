using System.Globalization;
using System.Text;

namespace Sendarix.Core.Stats;

/// <summary>
/// Times from acceptance to delivery, counted in buckets that grow by a quarter each (from 50 ms to about four weeks), so
/// histograms of any nodes and hours add up, and a percentile is within about 12% of the true time. Stored as
/// "bucket:count" pairs of the buckets that hold anything.
/// </summary>
public sealed class LatencyHistogram
{
    const double First = 0.05;
    const double Growth = 1.25;
    public const int Buckets = 80;

    readonly long[] _counts = new long[Buckets];

    public long Count { get; private set; }

    public void Add(TimeSpan latency) => Add(BucketOf(latency), 1);

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < Buckets; i++)
        {
            Add(i, other._counts[i]);
        }
    }

    void Add(int bucket, long count)
    {
        _counts[bucket] += count;
        Count += count;
    }

    /// <summary>The time under which a share <paramref name="p"/> of the deliveries came (the middle of its bucket), or null when there were none.</summary>
    public TimeSpan? Percentile(double p)
    {
        if (Count == 0)
        {
            return null;
        }

        var rank = (long)Math.Ceiling(p * Count);
        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += _counts[i];
            if (seen >= Math.Max(1, rank))
            {
                return TimeSpan.FromSeconds(Math.Sqrt(Lower(i) * Upper(i)));
            }
        }

        return TimeSpan.FromSeconds(Upper(Buckets - 1));
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        for (var i = 0; i < Buckets; i++)
        {
            if (_counts[i] > 0)
            {
                text.Append(text.Length > 0 ? "," : "").Append(CultureInfo.InvariantCulture, $"{i}:{_counts[i]}");
            }
        }

        return text.ToString();
    }

    /// <summary>A histogram <see cref="ToString"/> wrote; pairs it cannot read (another version's buckets) are left out.</summary>
    public static LatencyHistogram Parse(string? text)
    {
        var histogram = new LatencyHistogram();
        foreach (var pair in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && int.TryParse(pair.AsSpan(0, colon), CultureInfo.InvariantCulture, out var bucket) && bucket is >= 0 and < Buckets
                && long.TryParse(pair.AsSpan(colon + 1), CultureInfo.InvariantCulture, out var count) && count > 0)
            {
                histogram.Add(bucket, count);
            }
        }

        return histogram;
    }

    static int BucketOf(TimeSpan latency)
    {
        var seconds = latency.TotalSeconds;
        return seconds <= First ? 0 : Math.Min(Buckets - 1, 1 + (int)Math.Floor(Math.Log(seconds / First, Growth)));
    }

    // Bucket 0 holds up to 50 ms; bucket i (i ≥ 1) from First·Growth^(i-1) to First·Growth^i.
    static double Lower(int bucket) => bucket == 0 ? First / Growth : First * Math.Pow(Growth, bucket - 1);

    static double Upper(int bucket) => First * Math.Pow(Growth, bucket);
}
