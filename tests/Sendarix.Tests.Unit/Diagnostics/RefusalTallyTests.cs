using Microsoft.Extensions.Time.Testing;
using Sendarix.Core.Diagnostics;

namespace Sendarix.Tests.Unit;

public sealed class RefusalTallyTests
{
    [Fact]
    public void The_first_refusal_is_reported_at_once_and_a_flood_once_per_period()
    {
        var time = new FakeTimeProvider();
        var tally = new RefusalTally(time, TimeSpan.FromMinutes(1));

        Assert.Equal(1, tally.Count());
        for (var i = 0; i < 999; i++)
        {
            Assert.Equal(0, tally.Count());
        }

        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(0, tally.Count());
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1001, tally.Count());
        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, tally.Count());
    }
}
