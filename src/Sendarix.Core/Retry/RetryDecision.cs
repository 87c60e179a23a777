namespace Sendarix.Core.Retry;

/// <summary>Either the time of the next attempt or expiry.</summary>
public readonly record struct RetryDecision(bool Expired, DateTimeOffset NextAttempt)
{
    public static RetryDecision Expire() => new(true, default);

    public static RetryDecision RetryAt(DateTimeOffset when) => new(false, when);
}
