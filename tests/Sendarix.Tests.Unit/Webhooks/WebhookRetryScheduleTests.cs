using System.ComponentModel.DataAnnotations;
using Sendarix.Core.Webhooks;

namespace Sendarix.Tests.Unit;

public sealed class WebhookRetryScheduleTests
{
    static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);
    static readonly WebhookRetrySchedule Schedule = WebhookRetrySchedule.Default;

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 5 * 60)]
    [InlineData(3, 30 * 60)]
    [InlineData(4, 2 * 3600)]
    [InlineData(5, 5 * 3600)]
    [InlineData(6, 10 * 3600)]
    [InlineData(7, 14 * 3600)]
    [InlineData(8, 20 * 3600)]
    [InlineData(9, 24 * 3600)]
    public void A_failed_attempt_is_tried_again_after_the_schedules_delay(int attempt, int seconds)
    {
        foreach (var status in new int?[] { null, 500, 502, 404, 400, 401, 302, 429, 503 })
        {
            var decision = Schedule.AfterAttempt(attempt, status, null, Now);
            Assert.Equal(WebhookAttemptOutcome.Retry, decision.Outcome);
            Assert.Equal(Now.AddSeconds(seconds), decision.NextAttemptAt);
        }
    }

    [Fact]
    public void The_tenth_attempt_is_the_last()
    {
        Assert.Equal(10, Schedule.MaxAttempts);
        Assert.Equal(WebhookAttemptOutcome.GiveUp, Schedule.AfterAttempt(10, 500, null, Now).Outcome);
        Assert.Null(Schedule.AfterAttempt(10, null, null, Now).NextAttemptAt);
        Assert.Equal(WebhookAttemptOutcome.GiveUp, Schedule.AfterAttempt(11, 503, TimeSpan.FromSeconds(10), Now).Outcome);
        var total = Schedule.Delays.Aggregate(TimeSpan.Zero, (a, d) => a + d);
        Assert.Equal(TimeSpan.FromHours(75) + TimeSpan.FromMinutes(35) + TimeSpan.FromSeconds(5), total);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(201)]
    [InlineData(204)]
    [InlineData(299)]
    public void A_2xx_delivers(int status)
    {
        Assert.Equal(new WebhookRetryDecision(WebhookAttemptOutcome.Delivered, null), Schedule.AfterAttempt(1, status, null, Now));
        Assert.Equal(WebhookAttemptOutcome.Delivered, Schedule.AfterAttempt(10, status, null, Now).Outcome);
    }

    [Fact]
    public void A_410_says_the_endpoint_is_gone()
    {
        Assert.Equal(new WebhookRetryDecision(WebhookAttemptOutcome.Gone, null), Schedule.AfterAttempt(1, 410, TimeSpan.FromSeconds(60), Now));
    }

    [Theory]
    [InlineData(429, 60, 60)]
    [InlineData(503, 60, 60)]
    [InlineData(429, 0, 5)]
    [InlineData(503, 1, 5)]
    [InlineData(429, 10 * 86400, 86400)]
    [InlineData(503, 86400, 86400)]
    public void Retry_after_on_429_and_503_is_believed_within_the_schedules_bounds(int status, int retryAfter, int seconds)
    {
        // Attempt 5 would wait 5 hours by the schedule.
        var decision = Schedule.AfterAttempt(5, status, TimeSpan.FromSeconds(retryAfter), Now);
        Assert.Equal(WebhookAttemptOutcome.Retry, decision.Outcome);
        Assert.Equal(Now.AddSeconds(seconds), decision.NextAttemptAt);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(408)]
    [InlineData(null)]
    public void Retry_after_is_ignored_on_other_answers(int? status)
    {
        Assert.Equal(Now.AddHours(5), Schedule.AfterAttempt(5, status, TimeSpan.FromSeconds(30), Now).NextAttemptAt);
    }

    [Fact]
    public void An_endpoint_is_disabled_after_failing_for_five_days()
    {
        var since = Now.AddDays(-5);
        Assert.True(Schedule.ShouldDisable(since, Now));
        Assert.False(Schedule.ShouldDisable(since.AddSeconds(1), Now));
        Assert.False(Schedule.ShouldDisable(Now, Now));
    }

    [Fact]
    public void Options_can_make_the_schedule_short_for_tests()
    {
        var options = new WebhookOptions { RetryDelays = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300)], DisableAfter = TimeSpan.FromSeconds(2) };
        var schedule = options.Schedule;
        Assert.Equal(3, schedule.MaxAttempts);
        Assert.Equal(Now.AddMilliseconds(300), schedule.AfterAttempt(2, 500, null, Now).NextAttemptAt);
        Assert.Equal(Now.AddMilliseconds(300), schedule.AfterAttempt(1, 429, TimeSpan.FromHours(1), Now).NextAttemptAt);
        Assert.Equal(WebhookAttemptOutcome.GiveUp, schedule.AfterAttempt(3, 500, null, Now).Outcome);
        Assert.True(schedule.ShouldDisable(Now.AddSeconds(-2), Now));
        Assert.Equal(WebhookRetrySchedule.DefaultDelays, new WebhookOptions().Schedule.Delays);
    }

    [Fact]
    public void Options_out_of_bounds_are_refused()
    {
        Assert.Empty(Validate(new WebhookOptions()));
        Assert.NotEmpty(Validate(new WebhookOptions { SecretOverlap = TimeSpan.FromDays(8) }));
        Assert.NotEmpty(Validate(new WebhookOptions { SecretOverlap = TimeSpan.FromSeconds(-1) }));
        Assert.NotEmpty(Validate(new WebhookOptions { RetryDelays = [TimeSpan.Zero] }));
        Assert.NotEmpty(Validate(new WebhookOptions { DisableAfter = TimeSpan.Zero }));
        Assert.NotEmpty(Validate(new WebhookOptions { MaxEndpointsPerTenant = 0 }));
        Assert.Throws<ArgumentException>(() => new WebhookRetrySchedule([], TimeSpan.FromDays(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.AfterAttempt(0, 500, null, Now));
    }

    static List<ValidationResult> Validate(WebhookOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
