using Sendarix.Core.Counting;

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
    static readonly TimeSpan Day = TimeSpan.FromHours(24);

    readonly Queue<DateTimeOffset> _lastMinute = new();
    readonly SlidingCounts<int> _day = new(Day, TimeSpan.FromHours(1));

    /// <summary>The counts of the last 24 hours, by the hour they fell in.</summary>
    public IReadOnlyList<(DateTimeOffset Hour, int Count)> DailyCounts(DateTimeOffset now) => _day.Buckets(now);

    /// <summary>Adds counts saved earlier by <see cref="DailyCounts"/>.</summary>
    public void Restore(IEnumerable<(DateTimeOffset Hour, int Count)> counts) => _day.Restore(counts);

    /// <summary>Takes one message from both quotas, or refuses with the limit reached and when to try again.</summary>
    public QuotaDecision TryTake(DateTimeOffset now, int? perMinute, int? perDay)
    {
        while (_lastMinute.Count > 0 && _lastMinute.Peek() <= now - Minute)
        {
            _lastMinute.Dequeue();
        }

        if (perMinute is { } minuteLimit && _lastMinute.Count >= minuteLimit)
        {
            var skip = Math.Max(0, _lastMinute.Count - minuteLimit);
            return QuotaDecision.Refuse($"{minuteLimit} messages per minute", _lastMinute.Skip(skip).First() + Minute - now);
        }

        if (perDay is { } dayLimit && _day.Total(now) >= dayLimit)
        {
            return QuotaDecision.Refuse($"{dayLimit} messages per day", _day.OldestStart(now)!.Value + Day - now);
        }

        _lastMinute.Enqueue(now);
        _day.Add(now, 1);
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
