namespace Sendarix.Core.Limits;

/// <summary>
/// The shaping state of one (provider, egress IP): leases on open connections, counted against a connection limit, and
/// a token bucket for messages per minute. Leases expire, so connections of a process that died stop counting. A
/// back-off halves the connection limit until it ends ("fewer connections" after temporary failures). Slots that free
/// up go to the callers that have waited longest, so a node that keeps closing and reopening connections cannot starve
/// another node asking for the same slots.
/// </summary>
public sealed class SendThrottle
{
    /// <summary>A waiter that has not asked again for this long (many times the callers' polling) has given up and loses its place.</summary>
    public static readonly TimeSpan WaiterTimeout = TimeSpan.FromSeconds(2);

    readonly Dictionary<string, DateTimeOffset> _leases = new();
    readonly Dictionary<string, (DateTimeOffset Since, DateTimeOffset Seen)> _waiting = new();
    double _tokens = double.NaN;
    DateTimeOffset _refilled;

    /// <summary>Until when the connection limit is halved.</summary>
    public DateTimeOffset? ReducedUntil { get; private set; }

    /// <summary>Connections open now (leases not yet expired).</summary>
    public int OpenConnections(DateTimeOffset now)
    {
        foreach (var expired in _leases.Where(l => l.Value <= now).Select(l => l.Key).ToList())
        {
            _leases.Remove(expired);
        }

        return _leases.Count;
    }

    /// <summary>The limit in force now: the profile's, halved (at least 1) during a back-off.</summary>
    public int EffectiveLimit(DateTimeOffset now, int limit) => ReducedUntil > now ? Math.Max(1, limit / 2) : limit;

    /// <summary>
    /// Takes (or renews) a lease on a connection, or says no when the limit is reached or earlier callers are still
    /// waiting for the free slots; a caller told no keeps its place in line while it keeps asking.
    /// </summary>
    public bool TryOpen(string leaseId, DateTimeOffset now, int limit, TimeSpan leaseDuration)
    {
        if (_leases.ContainsKey(leaseId))
        {
            _leases[leaseId] = now + leaseDuration;
            return true;
        }

        foreach (var gone in _waiting.Where(w => now - w.Value.Seen > WaiterTimeout).Select(w => w.Key).ToList())
        {
            _waiting.Remove(gone);
        }

        var since = _waiting.TryGetValue(leaseId, out var waiter) ? waiter.Since : now;
        var ahead = _waiting.Count(w => w.Key != leaseId && (w.Value.Since < since || (w.Value.Since == since && string.CompareOrdinal(w.Key, leaseId) < 0)));
        if (OpenConnections(now) + ahead >= EffectiveLimit(now, limit))
        {
            _waiting[leaseId] = (since, now);
            return false;
        }

        _waiting.Remove(leaseId);
        _leases[leaseId] = now + leaseDuration;
        return true;
    }

    /// <summary>Ends a lease, or a wait that is no longer wanted.</summary>
    public void Close(string leaseId)
    {
        _leases.Remove(leaseId);
        _waiting.Remove(leaseId);
    }

    /// <summary>
    /// Takes one message token; returns zero when it may go now, else how long until a token is there. The bucket
    /// holds a second's worth of tokens (at least one), so a rate is never exceeded by more than that burst.
    /// </summary>
    public TimeSpan TakeMessage(DateTimeOffset now, int? perMinute)
    {
        if (perMinute is not { } rate)
        {
            return TimeSpan.Zero;
        }

        var perSecond = rate / 60.0;
        var capacity = Math.Max(1.0, perSecond);
        if (double.IsNaN(_tokens))
        {
            (_tokens, _refilled) = (capacity, now);
        }

        _tokens = Math.Min(capacity, _tokens + (now - _refilled).TotalSeconds * perSecond);
        _refilled = now;
        if (_tokens >= 1)
        {
            _tokens -= 1;
            return TimeSpan.Zero;
        }

        return TimeSpan.FromSeconds((1 - _tokens) / perSecond);
    }

    /// <summary>Halves the connection limit until <paramref name="until"/> (a later back-off extends it).</summary>
    public void Reduce(DateTimeOffset until)
    {
        if (ReducedUntil is not { } current || until > current)
        {
            ReducedUntil = until;
        }
    }
}
