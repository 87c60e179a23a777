using System.Collections.Concurrent;

namespace Sendarix.Core.Caching;

/// <summary>
/// Answers kept for a fixed time, so that a node asks the cluster once per key and lifetime. The lifetime bounds how
/// long a change elsewhere (a revoked credential, a failed domain) goes unseen here. A flood of distinct keys clears
/// the cache rather than growing it without bound.
/// </summary>
public sealed class ExpiringCache<TValue>(TimeProvider time, TimeSpan lifetime, int maxEntries = 100_000)
{
    readonly ConcurrentDictionary<string, (TValue Value, long Expires)> _entries = new(StringComparer.Ordinal);

    public async Task<TValue> GetOrAddAsync(string key, Func<Task<TValue>> lookup)
    {
        var now = time.GetTimestamp();
        if (_entries.TryGetValue(key, out var cached) && cached.Expires > now)
        {
            return cached.Value;
        }

        var value = await lookup();
        _entries[key] = (value, now + (long)(lifetime.TotalSeconds * time.TimestampFrequency));
        if (_entries.Count > maxEntries)
        {
            _entries.Clear();
        }

        return value;
    }

    /// <summary>Forgets a key, so the next lookup asks again (after a change made here).</summary>
    public void Remove(string key) => _entries.TryRemove(key, out _);
}
