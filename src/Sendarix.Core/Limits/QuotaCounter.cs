namespace Sendarix.Core.Limits;

/// <summary>
/// Counts a tenant's messages against a per-minute limit (a sliding window of the last 60 seconds) and a per-day
/// limit (a rolling 24 hours, counted in hourly buckets), and says when the next message may go if one is reached.
/// The hourly counts are what is worth keeping across a restart (<see cref="DailyCounts"/>, <see cref="Restore"/>); the
/// minute window is short enough to start again.
/// </summary>
public sealed class QuotaCounter
{
    static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    readonly Queue<DateTimeOffset> _lastMinute = new();
    readonly SortedDictionary<long, int> _hours = new();

    /// <summary>The counts of the last 24 hours, by the hour they fell in.</summary>
    public IEnumerable<(DateTimeOffset Hour, int Count)> DailyCounts() =>
        _hours.Select(h => (new DateTimeOffset(h.Key * Hour.Ticks, TimeSpan.Zero), h.Value)).ToList();

    /// <summary>Adds counts saved earlier by <see cref="DailyCounts"/>.</summary>
    public void Restore(IEnumerable<(DateTimeOffset Hour, int Count)> counts)
    {
        foreach (var (hour, count) in counts)
        {
            var key = hour.UtcTicks / Hour.Ticks;
            _hours[key] = _hours.GetValueOrDefault(key) + count;
        }
    }

    /// <summary>Takes one message from both quotas, or refuses with the limit reached and when to try again.</summary>
    public QuotaDecision TryTake(DateTimeOffset now, int? perMinute, int? perDay)
    {
        while (_lastMinute.Count > 0 && _lastMinute.Peek() <= now - Minute)
        {
            _lastMinute.Dequeue();
        }

        var hour = now.UtcTicks / Hour.Ticks;
        foreach (var old in _hours.Keys.Where(h => h <= hour - 24).ToList())
        {
            _hours.Remove(old);
        }

        if (perMinute is { } minuteLimit && _lastMinute.Count >= minuteLimit)
        {
            var skip = Math.Max(0, _lastMinute.Count - minuteLimit);
            return QuotaDecision.Refuse($"{minuteLimit} messages per minute", _lastMinute.Skip(skip).First() + Minute - now);
        }

        if (perDay is { } dayLimit && _hours.Values.Sum() >= dayLimit)
        {
            var oldest = _hours.Keys.First();
            return QuotaDecision.Refuse($"{dayLimit} messages per day", new DateTimeOffset((oldest + 24) * Hour.Ticks, TimeSpan.Zero) - now);
        }

        _lastMinute.Enqueue(now);
        _hours[hour] = _hours.GetValueOrDefault(hour) + 1;
        return QuotaDecision.Allow;
    }
}

/// <summary>Whether a message may be sent now; if not, which limit was reached and how long until it may.</summary>
public readonly record struct QuotaDecision(bool Allowed, string? Limit, TimeSpan RetryAfter)
{
    public static QuotaDecision Allow => new(true, null, TimeSpan.Zero);

    public static QuotaDecision Refuse(string limit, TimeSpan retryAfter) =>
        new(false, limit, retryAfter > TimeSpan.Zero ? retryAfter : TimeSpan.FromSeconds(1));
}
