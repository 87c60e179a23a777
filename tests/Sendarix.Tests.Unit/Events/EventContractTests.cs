using Sendarix.Core.Events;

namespace Sendarix.Tests.Unit.Events;

public sealed class EventContractTests
{
    static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_step_recorded_twice_keeps_its_id_and_any_other_step_gets_another()
    {
        var id = EventIds.ForRecipient("t1-abc", 0, 1, EventType.Delivered);
        Assert.Equal(id, EventIds.ForRecipient("t1-abc", 0, 1, EventType.Delivered));
        Assert.True(EventIds.IsWellFormed(id));
        var others = new[]
        {
            EventIds.ForRecipient("t1-abd", 0, 1, EventType.Delivered),
            EventIds.ForRecipient("t1-abc", 1, 1, EventType.Delivered),
            EventIds.ForRecipient("t1-abc", 0, 2, EventType.Delivered),
            EventIds.ForRecipient("t1-abc", 0, 1, EventType.Deferred),
            EventIds.ForTenant("t1", EventType.TenantPaused, T0),
        };
        Assert.DoesNotContain(id, others);
        Assert.Equal(others.Length, others.Distinct().Count());
        Assert.Equal(EventIds.ForTenant("t1", EventType.TenantPaused, T0), EventIds.ForTenant("t1", EventType.TenantPaused, T0));
        Assert.NotEqual(EventIds.ForTenant("t1", EventType.EndpointDisabled, T0, "we_1"), EventIds.ForTenant("t1", EventType.EndpointDisabled, T0, "we_2"));
    }

    [Fact]
    public void Every_type_has_one_public_name_that_parses_back()
    {
        var names = EventTypes.All.Select(EventTypes.Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(EventTypes.All, t => Assert.True(EventTypes.TryParse(EventTypes.Name(t), out var back) && back == t));
        Assert.False(EventTypes.TryParse("Delivered", out _));
        Assert.False(EventTypes.TryParse(null, out _));
        Assert.True(EventTypes.IsMessageEvent(EventType.Complained));
        Assert.False(EventTypes.IsMessageEvent(EventType.TenantPaused));
    }

    [Theory]
    [InlineData("550 5.1.1 No such user", "5.1.1")]
    [InlineData("421-4.7.0 Try again later", "4.7.0")]
    [InlineData("4.4.1 Delivery to x is held", "4.4.1")]
    [InlineData("250 2.0.0 OK", "2.0.0")]
    [InlineData("550 No such user", null)]
    [InlineData("550 5.1.1x", null)]
    [InlineData("feedback report: abuse", null)]
    [InlineData(null, null)]
    public void The_enhanced_status_is_read_from_the_reply(string? reply, string? expected) => Assert.Equal(expected, EnhancedStatusCode.Of(reply));

    [Fact]
    public void Only_final_failures_are_permanent()
    {
        Assert.True(Event(EventType.Bounced, 0, 1).Permanent);
        Assert.True(Event(EventType.Suppressed, 0, 1).Permanent);
        Assert.False(Event(EventType.Deferred, 0, 1).Permanent);
        Assert.Null(Event(EventType.Delivered, 0, 1).Permanent);
    }

    [Fact]
    public void A_recipient_stands_where_its_highest_sequence_says_whatever_the_order_rows_come_in()
    {
        var latest = RecipientHistory.Latest(
        [
            Event(EventType.Delivered, 0, 2), Event(EventType.Accepted, 0, 0), Event(EventType.Deferred, 0, 1),
            Event(EventType.Accepted, 1, 0),
            RelayEvent.ForTenant("t1", EventType.TenantPaused, T0, "reputation"),
        ]);
        Assert.Equal(EventType.Delivered, latest[0].Type);
        Assert.Equal(EventType.Accepted, latest[1].Type);
        Assert.Equal(2, latest.Count);
    }

    [Fact]
    public void The_public_form_leaves_message_fields_null_on_tenant_events()
    {
        var document = EventDocument.Of(RelayEvent.ForTenant("t1", EventType.AuthRefusedNetwork, T0, "limited", "user", "192.0.2.1"));
        Assert.Equal("auth.refused_network", document.Type);
        Assert.Null(document.MessageId);
        Assert.Null(document.Sequence);
        Assert.Equal("user", document.Username);

        var delivered = EventDocument.Of(Event(EventType.Bounced, 2, 3) with { Reply = "550 5.1.1 unknown", BounceCategory = "invalid_recipient" });
        Assert.Equal(("bounced", "5.1.1", true, 3, "t1-abc"), (delivered.Type, delivered.EnhancedStatus, delivered.Permanent, delivered.Sequence, delivered.MessageId));
        Assert.Equal(["a"], delivered.Tags!);
    }

    static RelayEvent Event(EventType type, int index, int sequence) => new()
    {
        Id = EventIds.ForRecipient("t1-abc", index, sequence, type),
        Type = type,
        Time = T0.AddMinutes(sequence),
        TenantId = "t1",
        Message = new EventMessage("t1-abc", "a@t1.example", null, null, ["a"], new Dictionary<string, string>()),
        RecipientIndex = index,
        Sequence = sequence,
    };
}
