namespace Sendarix.Core.Credentials;

/// <summary>
/// Counts failures in a sliding window and locks out once the limit is reached, so that guessing credentials costs
/// a lockout after a handful of tries instead of being limited only by connection speed.
/// </summary>
public sealed class FailureWindow
{
    readonly Queue<DateTimeOffset> _failures = new();

    public DateTimeOffset? LockedUntil { get; private set; }

    /// <summary>Whether attempts are refused at <paramref name="now"/>.</summary>
    public bool IsLocked(DateTimeOffset now) => LockedUntil > now;

    /// <summary>Records a failure; returns the end of the lockout when this failure reaches the limit.</summary>
    public DateTimeOffset? RecordFailure(DateTimeOffset now, int limit, TimeSpan window, TimeSpan lockout)
    {
        while (_failures.Count > 0 && _failures.Peek() <= now - window)
        {
            _failures.Dequeue();
        }

        _failures.Enqueue(now);
        if (_failures.Count >= limit)
        {
            _failures.Clear();
            LockedUntil = now + lockout;
        }

        return IsLocked(now) ? LockedUntil : null;
    }
}
