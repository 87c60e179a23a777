using System.Numerics;

namespace Sendarix.Core.Counting;

/// <summary>
/// Counts added over a sliding window in fixed buckets: a bucket leaves the window whole once it is older than the
/// window. The buckets, by their start, are what a grain saves to keep its counts across a restart.
/// </summary>
public sealed class SlidingCounts<T>(TimeSpan window, TimeSpan bucket) where T : struct, IAdditionOperators<T, T, T>
{
    readonly SortedDictionary<long, T> _buckets = new();
    readonly long _bucketTicks = Math.Max(1, bucket.Ticks);
    readonly long _bucketsInWindow = Math.Max(1, window.Ticks / Math.Max(1, bucket.Ticks));

    public void Add(DateTimeOffset now, T value)
    {
        Trim(now);
        Add(now.UtcTicks / _bucketTicks, value);
    }

    public T Total(DateTimeOffset now)
    {
        Trim(now);
        var total = default(T);
        foreach (var value in _buckets.Values)
        {
            total += value;
        }

        return total;
    }

    /// <summary>When the oldest bucket still in the window began, or null when nothing is counted.</summary>
    public DateTimeOffset? OldestStart(DateTimeOffset now)
    {
        Trim(now);
        return _buckets.Count == 0 ? null : Start(_buckets.Keys.First());
    }

    /// <summary>The buckets still in the window at <paramref name="now"/>, by their start.</summary>
    public IReadOnlyList<(DateTimeOffset Start, T Value)> Buckets(DateTimeOffset now)
    {
        Trim(now);
        return _buckets.Select(b => (Start(b.Key), b.Value)).ToList();
    }

    /// <summary>Adds buckets saved earlier by <see cref="Buckets"/> (re-bucketed by their start if the bucket size changed).</summary>
    public void Restore(IEnumerable<(DateTimeOffset Start, T Value)> saved)
    {
        foreach (var (start, value) in saved)
        {
            Add(start.UtcTicks / _bucketTicks, value);
        }
    }

    public void Clear() => _buckets.Clear();

    void Add(long key, T value) => _buckets[key] = _buckets.TryGetValue(key, out var current) ? current + value : value;

    DateTimeOffset Start(long key) => new(key * _bucketTicks, TimeSpan.Zero);

    void Trim(DateTimeOffset now)
    {
        var first = now.UtcTicks / _bucketTicks - _bucketsInWindow + 1;
        foreach (var old in _buckets.Keys.TakeWhile(k => k < first).ToList())
        {
            _buckets.Remove(old);
        }
    }
}
