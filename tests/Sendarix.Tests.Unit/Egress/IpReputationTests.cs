using Sendarix.Core.Bounces;
using Sendarix.Core.Egress;
using Sendarix.Core.Replies;

namespace Sendarix.Tests.Unit.Egress;

public sealed class IpReputationTests
{
    static readonly DateTimeOffset T0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Replies_count_as_delivered_deferred_bounced_or_blocked_by_class_and_classification()
    {
        SmtpReply[] replies =
        [
            new(250, "2.0.0 OK"), new(250, "2.0.0 OK"), new(451, "4.3.0 Try later"), new(550, "5.1.1 User unknown"),
            new(421, "4.7.0 [TSS04] Messages temporarily deferred due to unexpected volume"),
            new(554, "5.7.1 Client host [192.0.2.1] blocked using zen.spamhaus.org"),
        ];
        var outcomes = IpOutcomes.Of(replies.Select(r => (r, r.Class == ReplyClass.Success ? null : (BounceClassification?)BounceClassifier.Classify(r, "yahoo"))));
        Assert.Equal(new IpOutcomes(2, 1, 1, 2, 0), outcomes);
        Assert.Equal(6, outcomes.Attempts);
        Assert.Equal(2.0 / 6, outcomes.BlockRate, 6);
        Assert.Equal(0, default(IpOutcomes).BlockRate);
    }

    [Fact]
    public void Counts_cover_the_last_24_hours_and_survive_a_save_and_restore()
    {
        var reputation = new IpReputation();
        reputation.Record(T0.AddHours(-30), new IpOutcomes(100, 0, 0, 0, 0));
        reputation.Record(T0.AddHours(-23), new IpOutcomes(10, 1, 0, 2, 1));
        reputation.Record(T0, new IpOutcomes(5, 0, 1, 0, 0));
        Assert.Equal(new IpOutcomes(15, 1, 1, 2, 1), reputation.Totals(T0));

        var restored = new IpReputation();
        restored.Restore(reputation.Hours(T0));
        Assert.Equal(new IpOutcomes(15, 1, 1, 2, 1), restored.Totals(T0));
        Assert.Equal(new IpOutcomes(5, 0, 1, 0, 0), restored.Totals(T0.AddHours(2)));
    }

    [Fact]
    public void Each_deprioritisation_in_the_window_doubles_the_next_cool_down_up_to_the_ceiling()
    {
        var coolDown = TimeSpan.FromMinutes(30);
        var ceiling = TimeSpan.FromHours(4);
        Assert.Equal(coolDown, IpReputation.CoolDownAfter(0, coolDown, ceiling));
        Assert.Equal(TimeSpan.FromHours(1), IpReputation.CoolDownAfter(1, coolDown, ceiling));
        Assert.Equal(TimeSpan.FromHours(2), IpReputation.CoolDownAfter(2, coolDown, ceiling));
        Assert.Equal(ceiling, IpReputation.CoolDownAfter(4, coolDown, ceiling));
        Assert.Equal(ceiling, IpReputation.CoolDownAfter(1000, coolDown, ceiling));
        Assert.Equal(coolDown, IpReputation.CoolDownAfter(3, coolDown, TimeSpan.FromMinutes(1)));
    }
}
