namespace Sendarix.Core.Webhooks;

/// <summary>
/// When a webhook event is tried again: at once, then after each of <see cref="Delays"/> in turn (by default 5 s,
/// 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h, about three days in all), then given up. A 429 or 503 that says
/// when to come back (Retry-After) is believed within the schedule's shortest and longest delay, so a receiver can
/// neither make the relay hammer it nor park an event for longer than the schedule would. An endpoint whose every
/// attempt has failed for <see cref="DisableAfter"/> is disabled.
/// </summary>
public sealed class WebhookRetrySchedule
{
    public static IReadOnlyList<TimeSpan> DefaultDelays { get; } =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2), TimeSpan.FromHours(5),
        TimeSpan.FromHours(10), TimeSpan.FromHours(14), TimeSpan.FromHours(20), TimeSpan.FromHours(24),
    ];

    public static TimeSpan DefaultDisableAfter { get; } = TimeSpan.FromDays(5);

    public static WebhookRetrySchedule Default { get; } = new(DefaultDelays, DefaultDisableAfter);

    public WebhookRetrySchedule(IReadOnlyList<TimeSpan> delays, TimeSpan disableAfter)
    {
        if (delays.Count == 0 || delays.Any(d => d <= TimeSpan.Zero))
        {
            throw new ArgumentException("A retry schedule needs at least one delay, each positive.", nameof(delays));
        }

        Delays = delays.ToArray();
        DisableAfter = disableAfter;
        Shortest = Delays.Min();
        Longest = Delays.Max();
    }

    /// <summary>The waits between one attempt and the next.</summary>
    public IReadOnlyList<TimeSpan> Delays { get; }

    public TimeSpan DisableAfter { get; }

    public TimeSpan Shortest { get; }

    public TimeSpan Longest { get; }

    /// <summary>Attempts an event gets: the first and one after each delay.</summary>
    public int MaxAttempts => Delays.Count + 1;

    /// <summary>
    /// What follows attempt number <paramref name="attempt"/> (1 for the first) that was answered with
    /// <paramref name="status"/> (null: no answer at all, such as a time-out or a refused connection), with the wait
    /// its Retry-After header asked for, if any. A 3xx is a failure like any other non-2xx: redirects are not followed.
    /// </summary>
    public WebhookRetryDecision AfterAttempt(int attempt, int? status, TimeSpan? retryAfter, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        if (status is >= 200 and < 300)
        {
            return new WebhookRetryDecision(WebhookAttemptOutcome.Delivered, null);
        }

        if (status == 410)
        {
            return new WebhookRetryDecision(WebhookAttemptOutcome.Gone, null);
        }

        if (attempt >= MaxAttempts)
        {
            return new WebhookRetryDecision(WebhookAttemptOutcome.GiveUp, null);
        }

        var wait = status is 429 or 503 && retryAfter is { } asked
            ? asked < Shortest ? Shortest : asked > Longest ? Longest : asked
            : Delays[attempt - 1];
        return WebhookRetryDecision.RetryAt(now + wait);
    }

    /// <summary>
    /// Whether an endpoint whose attempts have all failed since <paramref name="failingSince"/> (the first failure
    /// after its last success) has failed long enough to be disabled.
    /// </summary>
    public bool ShouldDisable(DateTimeOffset failingSince, DateTimeOffset now) => now - failingSince >= DisableAfter;
}
