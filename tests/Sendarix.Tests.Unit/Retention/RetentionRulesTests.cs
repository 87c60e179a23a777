using Sendarix.Core.Events;
using Sendarix.Core.Retention;

namespace Sendarix.Tests.Unit.Retention;

public sealed class RetentionRulesTests
{
    static RelayEvent Step(int recipient, int sequence, EventType type) =>
        new() { Id = $"e{recipient}-{sequence}", Type = type, TenantId = "t", RecipientIndex = recipient, Sequence = sequence, Time = DateTimeOffset.UnixEpoch };

    [Theory]
    [InlineData(EventType.Delivered, true)]
    [InlineData(EventType.Bounced, true)]
    [InlineData(EventType.Expired, true)]
    [InlineData(EventType.Failed, true)]
    [InlineData(EventType.Suppressed, true)]
    [InlineData(EventType.Complained, true)]
    [InlineData(EventType.Accepted, false)]
    [InlineData(EventType.Deferred, false)]
    public void A_recipient_is_settled_by_its_last_event(EventType last, bool settled) =>
        Assert.Equal(settled, RetentionRules.IsSettled(1, [Step(0, 0, EventType.Accepted), Step(0, 1, EventType.Deferred), Step(0, 2, last)]));

    [Fact]
    public void A_message_is_settled_only_when_every_recipient_is()
    {
        Assert.False(RetentionRules.IsSettled(2, [Step(0, 0, EventType.Accepted), Step(0, 1, EventType.Delivered), Step(1, 0, EventType.Accepted)]));
        Assert.False(RetentionRules.IsSettled(2, [Step(0, 1, EventType.Delivered)]));
        Assert.True(RetentionRules.IsSettled(2, [Step(1, 1, EventType.Bounced), Step(0, 1, EventType.Delivered), Step(0, 0, EventType.Accepted)]));
        Assert.False(RetentionRules.IsSettled(0, []));
    }

    [Fact]
    public void Events_are_taken_in_sequence_whatever_order_they_come_in() =>
        Assert.False(RetentionRules.IsSettled(1, [Step(0, 2, EventType.Deferred), Step(0, 1, EventType.Delivered)]));

    [Fact]
    public void The_cutoff_is_the_retention_before_now() =>
        Assert.Equal(new DateTimeOffset(2026, 11, 3, 12, 0, 0, TimeSpan.Zero), RetentionRules.Cutoff(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero), 30));
}
