using Sendarix.Core.Routing;

namespace Sendarix.Tests.Unit;

public sealed class MxOrderingTests
{
    [Fact]
    public void Orders_by_preference_lowest_first()
    {
        MxHost[] records = [new("c.example.com", 30), new("a.example.com", 10), new("b.example.com", 20)];

        var order = MxOrdering.Order(records, new Random(1));

        Assert.Equal(["a.example.com", "b.example.com", "c.example.com"], order);
    }

    [Fact]
    public void Trims_trailing_dots()
    {
        MxHost[] records = [new("mx1.example.com.", 10), new("mx2.example.com", 20)];

        Assert.Equal(["mx1.example.com", "mx2.example.com"], MxOrdering.Order(records, new Random(1)));
    }

    [Fact]
    public void Ties_are_shuffled_but_stay_between_their_neighbours()
    {
        MxHost[] records =
        [
            new("backup.example.com", 20),
            new("mx1.example.com", 10),
            new("mx2.example.com", 10),
            new("mx3.example.com", 10),
            new("first.example.com", 5),
        ];
        var seen = new HashSet<string>();

        for (var seed = 0; seed < 200; seed++)
        {
            var order = MxOrdering.Order(records, new Random(seed));

            Assert.Equal(5, order.Count);
            Assert.Equal("first.example.com", order[0]);
            Assert.Equal(["mx1.example.com", "mx2.example.com", "mx3.example.com"], order.Skip(1).Take(3).Order());
            Assert.Equal("backup.example.com", order[4]);
            seen.Add(string.Join(",", order.Skip(1).Take(3)));
        }

        // Every permutation of the three equal-preference hosts shows up: load really spreads.
        Assert.Equal(6, seen.Count);
    }

    [Fact]
    public void The_same_seed_gives_the_same_order()
    {
        MxHost[] records = [new("mx1.example.com", 10), new("mx2.example.com", 10), new("mx3.example.com", 10), new("mx4.example.com", 10)];

        Assert.Equal(MxOrdering.Order(records, new Random(42)), MxOrdering.Order(records, new Random(42)));
    }

    [Fact]
    public void A_host_listed_twice_appears_once_at_its_best_preference()
    {
        MxHost[] records = [new("mx.example.com", 10), new("other.example.com", 20), new("MX.example.com.", 30)];

        Assert.Equal(["mx.example.com", "other.example.com"], MxOrdering.Order(records, new Random(1)));
    }

    [Theory]
    [InlineData(".")]
    [InlineData("")]
    public void A_null_mx_yields_no_hosts(string host)
    {
        MxHost[] records = [new(host, 0)];

        Assert.Empty(MxOrdering.Order(records, new Random(1)));
        Assert.True(MxOrdering.IsNullMx(records));
    }

    [Fact]
    public void A_dot_among_real_hosts_is_dropped_and_is_not_a_null_mx()
    {
        MxHost[] records = [new(".", 0), new("mx.example.com", 10)];

        Assert.Equal(["mx.example.com"], MxOrdering.Order(records, new Random(1)));
        Assert.False(MxOrdering.IsNullMx(records));
    }

    [Fact]
    public void No_records_yield_no_hosts_and_are_not_a_null_mx()
    {
        Assert.Empty(MxOrdering.Order([], new Random(1)));
        Assert.False(MxOrdering.IsNullMx([]));
    }

    [Fact]
    public void A_single_real_host_is_not_a_null_mx()
    {
        MxHost[] records = [new("mx.example.com.", 10)];

        Assert.False(MxOrdering.IsNullMx(records));
        Assert.Equal(["mx.example.com"], MxOrdering.Order(records, new Random(1)));
    }
}
