namespace Sendarix.Core.Diagnostics;

/// <summary>
/// Counts refused input of one kind so that a flood of it costs a log line per period, not one per request: the
/// first refusal is reported at once, later ones are added up and reported together once the period has passed.
/// </summary>
public sealed class RefusalTally(TimeProvider time, TimeSpan period)
{
    readonly Lock _lock = new();
    long _unreported;
    long _quietUntil = long.MinValue;

    /// <summary>Counts one refusal; returns how many to report now (this one included), or 0 to stay quiet.</summary>
    public long Count()
    {
        var now = time.GetTimestamp();
        lock (_lock)
        {
            _unreported++;
            if (now < _quietUntil)
            {
                return 0;
            }

            _quietUntil = now + (long)(period.TotalSeconds * time.TimestampFrequency);
            var report = _unreported;
            _unreported = 0;
            return report;
        }
    }
}
