using Sendarix.Core.Limits;

namespace Sendarix.Tests.Unit;

public sealed class QuotaCounterTests
{
    static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Refuses_past_the_per_minute_limit_until_the_oldest_message_leaves_the_window()
    {
        var quota = new QuotaCounter();
        Assert.True(quota.TryTake(T0, 2, null).Allowed);
        Assert.True(quota.TryTake(T0.AddSeconds(10), 2, null).Allowed);
        var refused = quota.TryTake(T0.AddSeconds(20), 2, null);
        Assert.False(refused.Allowed);
        Assert.Equal("2 messages per minute", refused.Limit);
        Assert.Equal(TimeSpan.FromSeconds(40), refused.RetryAfter);
        Assert.True(quota.TryTake(T0.AddSeconds(60), 2, null).Allowed);
    }

    [Fact]
    public void Refuses_past_the_per_day_limit_over_a_rolling_24_hours()
    {
        var quota = new QuotaCounter();
        Assert.True(quota.TryTake(T0, null, 2).Allowed);
        Assert.True(quota.TryTake(T0.AddHours(5), null, 2).Allowed);
        var refused = quota.TryTake(T0.AddHours(6), null, 2);
        Assert.False(refused.Allowed);
        Assert.Equal("2 messages per day", refused.Limit);
        Assert.Equal(TimeSpan.FromHours(18), refused.RetryAfter);
        Assert.True(quota.TryTake(T0.AddHours(24), null, 2).Allowed);
    }

    [Fact]
    public void Refused_messages_do_not_count_and_no_limits_mean_no_refusals()
    {
        var quota = new QuotaCounter();
        Assert.True(quota.TryTake(T0, 1, null).Allowed);
        Assert.False(quota.TryTake(T0.AddSeconds(1), 1, null).Allowed);
        Assert.False(quota.TryTake(T0.AddSeconds(2), 1, null).Allowed);
        Assert.True(quota.TryTake(T0.AddSeconds(61), 1, null).Allowed);
        Assert.All(Enumerable.Range(0, 1000), i => Assert.True(quota.TryTake(T0.AddSeconds(100), null, null).Allowed));
    }

    [Fact]
    public void Saved_daily_counts_carry_the_day_over_and_the_minute_starts_again()
    {
        var quota = new QuotaCounter();
        Assert.True(quota.TryTake(T0.AddHours(-30), null, 2).Allowed);
        Assert.True(quota.TryTake(T0.AddHours(-3), 2, 2).Allowed);
        Assert.True(quota.TryTake(T0, 2, 2).Allowed);

        var restored = new QuotaCounter();
        restored.Restore(quota.DailyCounts(T0));
        var refused = restored.TryTake(T0.AddSeconds(1), 2, 2);
        Assert.False(refused.Allowed);
        Assert.Equal("2 messages per day", refused.Limit);
        Assert.True(restored.TryTake(T0.AddSeconds(1), 2, 3).Allowed);
        Assert.Equal(2, quota.DailyCounts(T0).Count);
        Assert.Empty(quota.DailyCounts(T0.AddHours(25)));
    }
}
