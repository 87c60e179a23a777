using Sendarix.Core.Limits;

namespace Sendarix.Tests.Unit.Shaping;

public sealed class SendThrottleTests
{
    static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    [Fact]
    public void Connections_are_leased_up_to_the_limit_and_freed_by_close_or_expiry()
    {
        var throttle = new SendThrottle();
        Assert.True(throttle.TryOpen("a", T0, 2, Lease));
        Assert.True(throttle.TryOpen("b", T0, 2, Lease));
        Assert.False(throttle.TryOpen("c", T0, 2, Lease));
        Assert.True(throttle.TryOpen("a", T0.AddSeconds(1), 2, Lease)); // a renewal, not a new connection

        throttle.Close("b");
        Assert.True(throttle.TryOpen("c", T0.AddSeconds(2), 2, Lease));
        Assert.False(throttle.TryOpen("d", T0.AddSeconds(3), 2, Lease));

        // "a" was renewed at +1 s; "c" opened at +2 s: both lapse by +2 min 2 s.
        Assert.Equal(0, throttle.OpenConnections(T0 + Lease + TimeSpan.FromSeconds(2)));
        Assert.True(throttle.TryOpen("d", T0 + Lease + TimeSpan.FromSeconds(2), 2, Lease));
    }

    [Fact]
    public void A_freed_slot_goes_to_the_caller_that_has_waited_longest()
    {
        var throttle = new SendThrottle();
        Assert.True(throttle.TryOpen("b1", T0, 1, Lease));
        Assert.False(throttle.TryOpen("a1", T0.AddMilliseconds(100), 1, Lease)); // node A starts waiting
        Assert.False(throttle.TryOpen("a1", T0.AddMilliseconds(200), 1, Lease));

        // Node B closes and at once asks again: the slot is A's, and B waits behind it.
        throttle.Close("b1");
        Assert.False(throttle.TryOpen("b2", T0.AddMilliseconds(250), 1, Lease));
        Assert.True(throttle.TryOpen("a1", T0.AddMilliseconds(300), 1, Lease));
        throttle.Close("a1");
        Assert.True(throttle.TryOpen("b2", T0.AddMilliseconds(350), 1, Lease));
    }

    [Fact]
    public void A_waiter_that_stops_asking_loses_its_place()
    {
        var throttle = new SendThrottle();
        Assert.True(throttle.TryOpen("b1", T0, 1, Lease));
        Assert.False(throttle.TryOpen("a1", T0, 1, Lease));
        throttle.Close("b1");
        Assert.False(throttle.TryOpen("b2", T0.AddSeconds(0.5), 1, Lease));
        Assert.True(throttle.TryOpen("b2", T0 + SendThrottle.WaiterTimeout + TimeSpan.FromSeconds(0.1), 1, Lease));

        // One that says it has stopped waiting (it found an idle connection) gives its place up at once.
        Assert.False(throttle.TryOpen("c1", T0.AddSeconds(10), 1, Lease));
        throttle.Close("b2");
        throttle.Close("c1");
        Assert.True(throttle.TryOpen("d1", T0.AddSeconds(10.1), 1, Lease));
    }

    [Fact]
    public void A_back_off_halves_the_limit_until_it_ends()
    {
        var throttle = new SendThrottle();
        throttle.Reduce(T0.AddMinutes(1));
        Assert.Equal(2, throttle.EffectiveLimit(T0, 5));
        Assert.Equal(1, throttle.EffectiveLimit(T0, 1));
        Assert.True(throttle.TryOpen("a", T0, 5, Lease));
        Assert.True(throttle.TryOpen("b", T0, 5, Lease));
        Assert.False(throttle.TryOpen("c", T0, 5, Lease));
        Assert.True(throttle.TryOpen("c", T0.AddMinutes(1), 5, Lease));
        throttle.Reduce(T0.AddSeconds(10)); // an earlier end does not shorten it
        Assert.Equal(T0.AddMinutes(1), throttle.ReducedUntil);
    }

    [Fact]
    public void Messages_per_minute_are_spread_with_a_burst_of_one_second()
    {
        var throttle = new SendThrottle();
        Assert.Equal(TimeSpan.Zero, throttle.TakeMessage(T0, null));

        // 120 a minute: 2 a second, a burst of 2.
        Assert.Equal(TimeSpan.Zero, throttle.TakeMessage(T0, 120));
        Assert.Equal(TimeSpan.Zero, throttle.TakeMessage(T0, 120));
        var wait = throttle.TakeMessage(T0, 120);
        Assert.Equal(0.5, wait.TotalSeconds, 3);
        Assert.Equal(TimeSpan.Zero, throttle.TakeMessage(T0.AddSeconds(0.5), 120));

        // Over a minute the count never passes the rate plus the burst.
        var sent = 0;
        for (var t = T0.AddSeconds(1); t < T0.AddSeconds(61); t = t.AddMilliseconds(10))
        {
            if (throttle.TakeMessage(t, 120) == TimeSpan.Zero)
            {
                sent++;
            }
        }

        Assert.InRange(sent, 118, 122);
    }
}
