using Sendarix.Core.Egress;

namespace Sendarix.Tests.Unit.Egress;

public sealed class EgressSelectorTests
{
    static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_lowest_tier_with_a_usable_ip_is_chosen_and_spread_within_it()
    {
        var pool = new[]
        {
            new EgressCandidate("a", 0, true, null), new EgressCandidate("b", 0, true, null), new EgressCandidate("backup", 1, true, null),
        };
        var picks = Enumerable.Range(0, 200).Select(i => EgressSelector.Choose(pool, Now, new Random(i))!.Address).ToList();
        Assert.DoesNotContain("backup", picks);
        Assert.Contains("a", picks);
        Assert.Contains("b", picks);
    }

    [Fact]
    public void A_deprioritised_ip_is_skipped_until_its_cool_down_ends_then_a_higher_tier_helps()
    {
        var pool = new[] { new EgressCandidate("a", 0, true, Now.AddMinutes(5)), new EgressCandidate("b", 0, true, null) };
        Assert.Equal("b", EgressSelector.Choose(pool, Now, new Random(1))!.Address);
        Assert.Contains(EgressSelector.Choose(pool, Now.AddMinutes(5), new Random(3))!.Address, new[] { "a", "b" });

        var tiers = new[] { new EgressCandidate("a", 0, true, Now.AddMinutes(5)), new EgressCandidate("backup", 1, true, null) };
        Assert.Equal("backup", EgressSelector.Choose(tiers, Now, new Random(1))!.Address);
    }

    [Fact]
    public void Cold_paused_or_capped_ips_are_never_chosen_not_even_when_all_others_are_deprioritised()
    {
        var pool = new[] { new EgressCandidate("cold", 0, false, null), new EgressCandidate("blocked", 0, true, Now.AddMinutes(3)) };
        Assert.Null(EgressSelector.Choose(pool, Now, new Random(1)));
        Assert.Equal(Now.AddMinutes(3), EgressSelector.NextReturn(pool, Now));
    }

    [Theory]
    [InlineData(1, 50)]
    [InlineData(2, 100)]
    [InlineData(14, 70000)]
    [InlineData(15, null)]
    public void The_warm_up_cap_grows_day_by_day_until_the_ip_is_warm(int day, int? cap) =>
        Assert.Equal(cap, WarmupSchedule.Default.CapOn(day));

    [Fact]
    public void Warm_up_days_count_from_the_first_day() =>
        Assert.Equal(3, WarmupSchedule.DayOf(new DateOnly(2026, 11, 25), new DateOnly(2026, 11, 27)));
}
