namespace Sendarix.Core.Limits;

/// <summary>
/// The shaping state of one (provider, egress IP): leases on open connections, counted against a connection limit, and
/// a token bucket for messages per minute. Leases expire, so connections of a process that died stop counting. A
/// back-off halves the connection limit until it ends ("fewer connections" after temporary failures).
/// </summary>
public sealed class SendThrottle
{
    readonly Dictionary<string, DateTimeOffset> _leases = new();
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

    /// <summary>Takes a lease on a new connection, or says no when the limit is reached.</summary>
    public bool TryOpen(string leaseId, DateTimeOffset now, int limit, TimeSpan leaseDuration)
    {
        if (_leases.ContainsKey(leaseId))
        {
            _leases[leaseId] = now + leaseDuration;
            return true;
        }

        if (OpenConnections(now) >= EffectiveLimit(now, limit))
        {
            return false;
        }

        _leases[leaseId] = now + leaseDuration;
        return true;
    }

    public void Close(string leaseId) => _leases.Remove(leaseId);

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
