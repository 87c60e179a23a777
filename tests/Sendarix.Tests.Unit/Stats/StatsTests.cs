using System.Collections.ObjectModel;
using Sendarix.Core.Events;
using Sendarix.Core.Ids;
using Sendarix.Core.Stats;

namespace Sendarix.Tests.Unit.Stats;

public sealed class StatsTests
{
    static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    static RelayEvent Event(EventType type, string recipient = "a@one.test", string? remoteHost = null, string? ip = null, string? category = null, params string[] tags) => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Type = type,
        Time = T0,
        TenantId = "t1",
        Message = new EventMessage("t1-x", "s@x.test", null, null, tags, ReadOnlyDictionary<string, string>.Empty),
        Recipient = recipient,
        RemoteHost = remoteHost,
        EgressIp = ip,
        BounceCategory = category,
    };

    [Theory]
    [InlineData(0.06)]
    [InlineData(0.4)]
    [InlineData(2.5)]
    [InlineData(95)]
    [InlineData(7200)]
    [InlineData(400_000)]
    public void A_percentile_is_within_an_eighth_of_the_time(double seconds)
    {
        var histogram = new LatencyHistogram();
        for (var i = 0; i < 100; i++)
        {
            histogram.Add(TimeSpan.FromSeconds(seconds));
        }

        var p50 = histogram.Percentile(0.5)!.Value.TotalSeconds;
        Assert.InRange(p50, seconds / 1.13, seconds * 1.13);
    }

    [Fact]
    public void Anything_within_50_ms_is_reported_as_under_50_ms()
    {
        var histogram = new LatencyHistogram();
        histogram.Add(TimeSpan.FromMilliseconds(3));
        Assert.InRange(histogram.Percentile(0.99)!.Value.TotalMilliseconds, 1, 50);
    }

    [Fact]
    public void Histograms_add_up_and_survive_being_written()
    {
        var fast = new LatencyHistogram();
        var slow = new LatencyHistogram();
        for (var i = 0; i < 90; i++)
        {
            fast.Add(TimeSpan.FromMilliseconds(200));
        }

        for (var i = 0; i < 10; i++)
        {
            slow.Add(TimeSpan.FromMinutes(10));
        }

        var both = LatencyHistogram.Parse(fast.ToString());
        both.Add(LatencyHistogram.Parse(slow.ToString()));
        Assert.Equal(100, both.Count);
        Assert.InRange(both.Percentile(0.5)!.Value.TotalMilliseconds, 170, 230);
        Assert.InRange(both.Percentile(0.95)!.Value.TotalMinutes, 8.8, 11.3);
        Assert.Null(new LatencyHistogram().Percentile(0.5));
        Assert.Equal(0, LatencyHistogram.Parse("x,999:4,3:-1,5").Count);
    }

    [Fact]
    public void Each_event_counts_once_by_type_and_rates_are_over_recipients_that_finished()
    {
        var counts = new StatsCounts();
        counts.Count(Event(EventType.Accepted), null);
        counts.Count(Event(EventType.Deferred), null);
        counts.Count(Event(EventType.Deferred), null);
        counts.Count(Event(EventType.Delivered), T0.AddSeconds(-3));
        counts.Count(Event(EventType.Delivered), T0.AddSeconds(-3));
        counts.Count(Event(EventType.Bounced, category: "spam_block"), null);
        counts.Count(Event(EventType.Bounced), null);
        counts.Count(Event(EventType.Complained), null);

        Assert.Equal((1, 2, 2, 2), (counts.Accepted, counts.Deferred, counts.Delivered, counts.Bounced));
        Assert.Equal(new Dictionary<string, long> { ["spam_block"] = 1, ["uncategorized"] = 1 }, counts.BouncesByCategory);
        Assert.Equal(0.5, counts.DeliveryRate);
        Assert.Equal(0.5, counts.BounceRate);
        Assert.Equal(0.5, counts.ComplaintRate);
        Assert.InRange(counts.DeliveryTime.Percentile(0.5)!.Value.TotalSeconds, 2.6, 3.4);
        Assert.Null(new StatsCounts().DeliveryRate);
    }

    [Fact]
    public void An_event_counts_in_the_totals_its_tags_its_domain_and_for_an_attempt_its_provider_and_ip()
    {
        Assert.Equal(
            [(StatsGrouping.None, ""), (StatsGrouping.Tag, "news"), (StatsGrouping.Tag, "eu"), (StatsGrouping.Domain, "gmail.com"),
             (StatsGrouping.Provider, "gmail"), (StatsGrouping.Ip, "192.0.2.7")],
            StatsGroups.Of(Event(EventType.Delivered, "Ann@GMAIL.com", "gmail-smtp-in.l.google.com:25", "192.0.2.7", null, "News", "eu")));
        Assert.Equal([(StatsGrouping.None, ""), (StatsGrouping.Domain, "one.test")], StatsGroups.Of(Event(EventType.Accepted)));
        Assert.Contains((StatsGrouping.Provider, "default"), StatsGroups.Of(Event(EventType.Deferred, remoteHost: "127.0.0.1:2525")));
    }

    [Fact]
    public void A_series_has_every_interval_and_folds_hours_into_days()
    {
        StatsCounts Delivered(int n) => new() { Delivered = n };
        var hours = new[]
        {
            (T0, "", Delivered(1)), (T0.AddHours(1), "", Delivered(2)), (T0.AddDays(1), "", Delivered(4)), (T0.AddDays(9), "", Delivered(8)),
        };
        var days = StatsSeries.Of(hours, StatsInterval.Day, T0.AddHours(-3), T0.AddDays(2));
        Assert.Equal([T0.Date, T0.Date.AddDays(1), T0.Date.AddDays(2)], days.Select(d => d.Start.UtcDateTime));
        Assert.Equal([3L, 4L, 0L], days.Select(d => d.Groups.Sum(g => g.Counts.Delivered)));

        var hourly = StatsSeries.Of(hours, StatsInterval.Hour, T0, T0.AddHours(3));
        Assert.Equal([1L, 2L, 0L], hourly.Select(h => h.Groups.Sum(g => g.Counts.Delivered)));
    }

    [Fact]
    public void A_message_id_tells_when_the_message_was_accepted()
    {
        var id = MessageId.New("t1", T0.AddMilliseconds(123));
        Assert.Equal(T0.AddMilliseconds(123), MessageId.AcceptedAt(id.Local));
        Assert.Null(MessageId.AcceptedAt("not-an-id"));
        Assert.Null(MessageId.AcceptedAt("uuuuuuuuuuuuuuuuuuuuu"));
    }
}
