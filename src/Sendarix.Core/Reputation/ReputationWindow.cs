namespace Sendarix.Core.Reputation;

/// <summary>
/// A tenant's recent sends, hard bounces and complaints in time buckets over a sliding window, and the rule that
/// pauses a tenant whose rates pass the thresholds once it has sent enough for the rates to mean something.
/// </summary>
public sealed class ReputationWindow(TimeSpan window, int buckets = 168)
{
    readonly SortedDictionary<long, (int Sent, int Bounced, int Complained)> _buckets = new();
    readonly long _bucketTicks = Math.Max(1, window.Ticks / buckets);

    public void Record(DateTimeOffset now, int sent, int bounced, int complained)
    {
        Trim(now);
        var bucket = now.UtcTicks / _bucketTicks;
        var (s, b, c) = _buckets.GetValueOrDefault(bucket);
        _buckets[bucket] = (s + sent, b + bounced, c + complained);
    }

    public (int Sent, int Bounced, int Complained) Totals(DateTimeOffset now)
    {
        Trim(now);
        return (_buckets.Values.Sum(v => v.Sent), _buckets.Values.Sum(v => v.Bounced), _buckets.Values.Sum(v => v.Complained));
    }

    /// <summary>Why the tenant should be paused, or null.</summary>
    public string? PauseReason(DateTimeOffset now, ReputationThresholds thresholds)
    {
        var (sent, bounced, complained) = Totals(now);
        if (sent < thresholds.MinimumSends || sent == 0)
        {
            return null;
        }

        var bounceRate = (double)bounced / sent;
        var complaintRate = (double)complained / sent;
        if (bounceRate > thresholds.MaxBounceRate)
        {
            return $"bounce rate {Percent(bounceRate, 1)} over the last {sent} sends is above {Percent(thresholds.MaxBounceRate, 1)}";
        }

        return complaintRate > thresholds.MaxComplaintRate
            ? $"complaint rate {Percent(complaintRate, 2)} over the last {sent} sends is above {Percent(thresholds.MaxComplaintRate, 2)}"
            : null;
    }

    public void Clear() => _buckets.Clear();

    /// <summary>The window's buckets by their start, to keep across a restart.</summary>
    public IEnumerable<(DateTimeOffset Start, int Sent, int Bounced, int Complained)> Buckets() =>
        _buckets.Select(b => (new DateTimeOffset(b.Key * _bucketTicks, TimeSpan.Zero), b.Value.Sent, b.Value.Bounced, b.Value.Complained)).ToList();

    /// <summary>Adds buckets saved earlier by <see cref="Buckets"/> (re-bucketed if the window has changed since).</summary>
    public void Restore(IEnumerable<(DateTimeOffset Start, int Sent, int Bounced, int Complained)> saved)
    {
        foreach (var (start, sent, bounced, complained) in saved)
        {
            var key = start.UtcTicks / _bucketTicks;
            var (s, b, c) = _buckets.GetValueOrDefault(key);
            _buckets[key] = (s + sent, b + bounced, c + complained);
        }
    }

    static string Percent(double rate, int decimals) =>
        (rate * 100).ToString(decimals == 1 ? "0.0" : "0.00", System.Globalization.CultureInfo.InvariantCulture) + "%";

    void Trim(DateTimeOffset now)
    {
        var first = now.UtcTicks / _bucketTicks - buckets + 1;
        foreach (var key in _buckets.Keys.TakeWhile(k => k < first).ToList())
        {
            _buckets.Remove(key);
        }
    }
}

/// <summary>When a tenant is paused: rates above these once it has sent at least <see cref="MinimumSends"/>.</summary>
public sealed record ReputationThresholds(int MinimumSends, double MaxBounceRate, double MaxComplaintRate)
{
    /// <summary>The usual provider expectations: under 5% bounces and 0.1% complaints, judged over 500 sends or more.</summary>
    public static ReputationThresholds Default { get; } = new(500, 0.05, 0.001);
}
