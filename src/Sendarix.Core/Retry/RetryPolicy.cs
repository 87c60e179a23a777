namespace Sendarix.Core.Retry;

/// <summary>
/// When to try a deferred recipient again. The defaults are Postfix's: the first retry after 300 s
/// (minimal_backoff_time), doubling up to 4000 s (maximal_backoff_time), giving up after 5 days
/// (maximal_queue_lifetime).
/// </summary>
public sealed record RetryPolicy(TimeSpan FirstRetry, TimeSpan MaxRetry, TimeSpan MaxLifetime)
{
    /// <summary>The wait after a greylisting reply that names no window of its own.</summary>
    public TimeSpan GreylistRetry { get; init; } = TimeSpan.FromMinutes(1);

    public static RetryPolicy Default { get; } = new(TimeSpan.FromSeconds(300), TimeSpan.FromSeconds(4000), TimeSpan.FromDays(5));

    /// <summary>The wait after the given number of failed attempts (1 = the first attempt failed).</summary>
    public TimeSpan DelayAfter(int failedAttempts)
    {
        var delay = FirstRetry;
        for (var i = 1; i < failedAttempts && delay < MaxRetry; i++)
        {
            delay += delay;
        }

        return delay < MaxRetry ? delay : MaxRetry;
    }

    /// <summary>
    /// Decides what follows a temporary failure: another attempt (after <paramref name="wait"/> when the reply named
    /// one, else by the schedule) at a time no later than the expiry, or expiry when the message has been queued for its
    /// whole lifetime.
    /// </summary>
    public RetryDecision AfterTemporaryFailure(int failedAttempts, DateTimeOffset acceptedAt, DateTimeOffset now, DateTimeOffset? notBefore = null, TimeSpan? wait = null)
    {
        var expiresAt = acceptedAt + MaxLifetime;
        if (now >= expiresAt)
        {
            return RetryDecision.Expire();
        }

        var next = now + (wait ?? DelayAfter(failedAttempts));
        if (notBefore is { } floor && floor > next)
        {
            next = floor;
        }

        return RetryDecision.RetryAt(next < expiresAt ? next : expiresAt);
    }

    /// <summary>
    /// Postpones without an attempt (the destination is backed off): the next attempt when the back-off ends, or
    /// expiry when the message has been queued for its whole lifetime.
    /// </summary>
    public RetryDecision Postpone(DateTimeOffset acceptedAt, DateTimeOffset now, DateTimeOffset until)
    {
        var expiresAt = acceptedAt + MaxLifetime;
        return now >= expiresAt ? RetryDecision.Expire() : RetryDecision.RetryAt(until < expiresAt ? until : expiresAt);
    }
}
