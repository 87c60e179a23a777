using Sendarix.Core.Events;
using Sendarix.Storage.Webhooks;

namespace Sendarix.Tests.Unit.Webhooks;

public sealed class WebhookDeliveryTests
{
    static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    static RelayEvent Event(string id) => new() { Id = id, Type = EventType.Delivered, Time = T0, TenantId = "t1" };

    [Fact]
    public void Endpoints_that_take_the_same_events_share_them_and_need_no_list()
    {
        var events = new[] { Event("a"), Event("b"), Event("c") };
        var d = WebhookDelivery.Of("t1", [new WebhookShare("e1", 0, events), new WebhookShare("e2", 0, events)]);

        Assert.Equal(["a", "b", "c"], d.Events.Select(e => e.Id));
        Assert.All(d.Targets, t => Assert.Null(t.Only));
        Assert.All(d.Shares(), s => Assert.Equal(["a", "b", "c"], s.Events.Select(e => e.Id)));
    }

    [Fact]
    public void Each_event_is_stored_once_and_each_endpoint_gets_back_its_own_share_in_order()
    {
        var (a, b, c, x) = (Event("a"), Event("b"), Event("c"), Event("x"));
        var d = WebhookDelivery.Of("t1", [new WebhookShare("e1", 0, [a, c]), new WebhookShare("e2", 3, [a, b, c]), new WebhookShare("e3", 1, [x])], replay: true);

        Assert.Equal(["a", "c", "b", "x"], d.Events.Select(e => e.Id));
        Assert.True(d.Replay);
        var shares = d.Shares().ToDictionary(s => s.EndpointId);
        Assert.Equal(["a", "c"], shares["e1"].Events.Select(e => e.Id));
        Assert.Equal(["a", "b", "c"], shares["e2"].Events.Select(e => e.Id));
        Assert.Equal(["x"], shares["e3"].Events.Select(e => e.Id));
        Assert.Equal([0, 3, 1], d.Shares().Select(s => s.Attempts));
        Assert.Equal([0, 1], d.Targets[0].Only!);
    }

    [Fact]
    public void The_same_events_in_another_order_keep_their_order()
    {
        var (a, b) = (Event("a"), Event("b"));
        var d = WebhookDelivery.Of("t1", [new WebhookShare("e1", 0, [a, b]), new WebhookShare("e2", 0, [b, a])]);

        Assert.Null(d.Targets[0].Only);
        Assert.Equal([1, 0], d.Targets[1].Only!);
        Assert.Equal(["b", "a"], d.Shares()[1].Events.Select(e => e.Id));
    }
}
