using Sendarix.Core.Retry;

namespace Sendarix.Tests.Unit;

public sealed class RetryPolicyTests
{
    static readonly DateTimeOffset Accepted = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Defaults_are_postfix_values()
    {
        Assert.Equal(TimeSpan.FromSeconds(300), RetryPolicy.Default.FirstRetry);
        Assert.Equal(TimeSpan.FromSeconds(4000), RetryPolicy.Default.MaxRetry);
        Assert.Equal(TimeSpan.FromDays(5), RetryPolicy.Default.MaxLifetime);
        Assert.Equal(RetryPolicy.Default, new RetryOptions().ToPolicy());
    }

    [Theory]
    [InlineData(1, 300)]
    [InlineData(2, 600)]
    [InlineData(3, 1200)]
    [InlineData(4, 2400)]
    [InlineData(5, 4000)]
    [InlineData(6, 4000)]
    [InlineData(50, 4000)]
    [InlineData(int.MaxValue, 4000)]
    public void Delay_doubles_from_300_seconds_up_to_4000(int failedAttempts, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), RetryPolicy.Default.DelayAfter(failedAttempts));
    }

    [Fact]
    public void Delay_is_capped_exactly_at_the_maximum_when_a_doubling_lands_on_it()
    {
        var policy = new RetryPolicy(TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(400), TimeSpan.FromDays(1));

        Assert.Equal(TimeSpan.FromSeconds(200), policy.DelayAfter(2));
        Assert.Equal(TimeSpan.FromSeconds(400), policy.DelayAfter(3));
        Assert.Equal(TimeSpan.FromSeconds(400), policy.DelayAfter(4));
    }

    [Fact]
    public void First_retry_above_the_maximum_is_capped()
    {
        var policy = new RetryPolicy(TimeSpan.FromSeconds(500), TimeSpan.FromSeconds(60), TimeSpan.FromDays(1));

        Assert.Equal(TimeSpan.FromSeconds(60), policy.DelayAfter(1));
    }

    [Theory]
    [InlineData(1, 300)]
    [InlineData(2, 600)]
    [InlineData(5, 4000)]
    public void Temporary_failure_retries_after_the_delay(int failedAttempts, int seconds)
    {
        var now = Accepted.AddMinutes(10);

        var decision = RetryPolicy.Default.AfterTemporaryFailure(failedAttempts, Accepted, now);

        Assert.False(decision.Expired);
        Assert.Equal(now.AddSeconds(seconds), decision.NextAttempt);
    }

    [Fact]
    public void The_next_attempt_is_capped_at_expiry()
    {
        var expiresAt = Accepted.AddDays(5);
        var now = expiresAt.AddSeconds(-100);

        var decision = RetryPolicy.Default.AfterTemporaryFailure(10, Accepted, now);

        Assert.False(decision.Expired);
        Assert.Equal(expiresAt, decision.NextAttempt);
    }

    [Fact]
    public void One_tick_before_expiry_still_retries_at_expiry()
    {
        var expiresAt = Accepted.AddDays(5);

        var decision = RetryPolicy.Default.AfterTemporaryFailure(1, Accepted, expiresAt.AddTicks(-1));

        Assert.Equal(RetryDecision.RetryAt(expiresAt), decision);
    }

    [Fact]
    public void Expires_at_and_after_the_queue_lifetime()
    {
        var expiresAt = Accepted.AddDays(5);

        Assert.Equal(RetryDecision.Expire(), RetryPolicy.Default.AfterTemporaryFailure(3, Accepted, expiresAt));
        Assert.Equal(RetryDecision.Expire(), RetryPolicy.Default.AfterTemporaryFailure(3, Accepted, expiresAt.AddDays(1)));
        Assert.True(RetryPolicy.Default.AfterTemporaryFailure(3, Accepted, expiresAt).Expired);
    }

    [Fact]
    public void A_later_not_before_moves_the_next_attempt()
    {
        var now = Accepted.AddHours(1);
        var notBefore = now.AddHours(2);

        var decision = RetryPolicy.Default.AfterTemporaryFailure(1, Accepted, now, notBefore);

        Assert.Equal(RetryDecision.RetryAt(notBefore), decision);
    }

    [Fact]
    public void An_earlier_not_before_changes_nothing()
    {
        var now = Accepted.AddHours(1);

        var decision = RetryPolicy.Default.AfterTemporaryFailure(1, Accepted, now, now.AddSeconds(10));

        Assert.Equal(RetryDecision.RetryAt(now.AddSeconds(300)), decision);
    }

    [Fact]
    public void A_not_before_past_expiry_is_capped_at_expiry()
    {
        var now = Accepted.AddDays(4);

        var decision = RetryPolicy.Default.AfterTemporaryFailure(1, Accepted, now, Accepted.AddDays(9));

        Assert.Equal(RetryDecision.RetryAt(Accepted.AddDays(5)), decision);
    }

    [Fact]
    public void Postpone_waits_until_the_back_off_ends()
    {
        var now = Accepted.AddHours(1);
        var until = now.AddMinutes(7);

        Assert.Equal(RetryDecision.RetryAt(until), RetryPolicy.Default.Postpone(Accepted, now, until));
    }

    [Fact]
    public void Postpone_is_capped_at_expiry()
    {
        var now = Accepted.AddDays(4);

        Assert.Equal(RetryDecision.RetryAt(Accepted.AddDays(5)), RetryPolicy.Default.Postpone(Accepted, now, Accepted.AddDays(6)));
    }

    [Fact]
    public void Postpone_expires_once_the_lifetime_is_over()
    {
        var expiresAt = Accepted.AddDays(5);

        Assert.Equal(RetryDecision.Expire(), RetryPolicy.Default.Postpone(Accepted, expiresAt, expiresAt.AddMinutes(1)));
        Assert.Equal(RetryDecision.Expire(), RetryPolicy.Default.Postpone(Accepted, expiresAt.AddHours(1), expiresAt.AddHours(2)));
    }

    [Fact]
    public void Retry_decision_factories()
    {
        var when = Accepted.AddMinutes(5);

        Assert.Equal(new RetryDecision(false, when), RetryDecision.RetryAt(when));
        Assert.Equal(new RetryDecision(true, default), RetryDecision.Expire());
    }
}
