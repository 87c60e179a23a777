using Sendarix.Core.Reputation;

namespace Sendarix.Tests.Unit;

public sealed class ReputationWindowTests
{
    static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    static readonly ReputationThresholds Thresholds = new(100, 0.05, 0.001);

    [Fact]
    public void Judges_rates_only_after_enough_sends()
    {
        var window = new ReputationWindow(TimeSpan.FromDays(7));
        window.Record(T0, 99, 50, 0);
        Assert.Null(window.PauseReason(T0, Thresholds));
        window.Record(T0.AddMinutes(1), 1, 0, 0);
        Assert.StartsWith("bounce rate 50.0% over the last 100 sends", window.PauseReason(T0.AddMinutes(1), Thresholds));
    }

    [Fact]
    public void Pauses_for_complaints_above_their_rate_and_not_at_it()
    {
        var window = new ReputationWindow(TimeSpan.FromDays(7));
        window.Record(T0, 2000, 0, 2);
        Assert.Null(window.PauseReason(T0, Thresholds));
        window.Record(T0, 0, 0, 1);
        Assert.StartsWith("complaint rate", window.PauseReason(T0, Thresholds));
    }

    [Fact]
    public void Forgets_what_left_the_window()
    {
        var window = new ReputationWindow(TimeSpan.FromDays(7));
        window.Record(T0, 100, 100, 0);
        Assert.NotNull(window.PauseReason(T0.AddDays(6), Thresholds));
        Assert.Equal((0, 0, 0), window.Totals(T0.AddDays(7).AddHours(2)));
        Assert.Null(window.PauseReason(T0.AddDays(8), Thresholds));
    }

    [Fact]
    public void Saved_buckets_restore_the_same_totals_and_what_left_the_window_stays_gone()
    {
        var window = new ReputationWindow(TimeSpan.FromDays(7));
        window.Record(T0.AddDays(-8), 50, 50, 0);
        window.Record(T0.AddDays(-1), 60, 3, 1);
        window.Record(T0, 40, 2, 0);

        var restored = new ReputationWindow(TimeSpan.FromDays(7));
        restored.Restore(window.Buckets(T0));
        Assert.Equal((100, 5, 1), restored.Totals(T0));

        // A window changed between save and restore re-buckets the counts by their time.
        var shorter = new ReputationWindow(TimeSpan.FromDays(2));
        shorter.Restore(window.Buckets(T0));
        Assert.Equal((100, 5, 1), shorter.Totals(T0));
        Assert.Equal((40, 2, 0), shorter.Totals(T0.AddDays(1.5)));
    }

    [Fact]
    public void Spam_refusals_pause_at_their_limit_however_little_was_sent()
    {
        var window = new ReputationWindow(TimeSpan.FromDays(7));
        var thresholds = Thresholds with { MaxSpamRefusals = 3 };
        window.RecordSpam(T0, 2);
        Assert.Null(window.PauseReason(T0, thresholds));
        window.RecordSpam(T0.AddMinutes(1), 1);
        Assert.Equal("3 messages refused as spam in the window, the limit being 3", window.PauseReason(T0.AddMinutes(1), thresholds));
        Assert.Equal(3, window.SpamRefusals(T0.AddMinutes(1)));

        var restored = new ReputationWindow(TimeSpan.FromDays(7));
        restored.Restore(window.Buckets(T0.AddMinutes(1)));
        Assert.Equal(3, restored.SpamRefusals(T0.AddMinutes(1)));
        Assert.Equal(0, window.SpamRefusals(T0.AddDays(8)));
    }
}
