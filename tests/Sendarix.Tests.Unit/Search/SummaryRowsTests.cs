using System.Collections.ObjectModel;
using Sendarix.Core.Events;
using Sendarix.Storage.Search;

namespace Sendarix.Tests.Unit.Search;

public sealed class SummaryRowsTests
{
    static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    static readonly EventMessage Context = new("t1-abc", "app@sender.test", "id@client.test", "Hello There", ["news"],
        new Dictionary<string, string> { ["k"] = "v" }.AsReadOnly());

    static RelayEvent Event(int recipient, EventType type, int sequence, string? category = null) => new()
    {
        Id = $"{recipient}-{sequence}",
        Type = type,
        Time = T0.AddSeconds(sequence),
        TenantId = "t1",
        Message = Context,
        Recipient = $"r{recipient}@x.test",
        RecipientIndex = recipient,
        Sequence = sequence,
        Attempt = sequence,
        Reply = $"reply {sequence}",
        BounceCategory = category,
    };

    [Fact]
    public void A_round_leaves_each_recipient_at_its_last_event_and_the_message_as_its_events_describe_it()
    {
        var row = SummaryRows.Merge("t1", "abc", [Event(0, EventType.Accepted, 0), Event(1, EventType.Accepted, 0), Event(0, EventType.Delivered, 1),
            Event(1, EventType.Deferred, 1, "transient")]);
        var summary = SummaryRows.Read(row);

        Assert.Equal(("t1-abc", T0, "Hello There", "hello there"), (summary.MessageId, summary.AcceptedAt, summary.Subject, row.GetString("SubjectKey")));
        Assert.Equal([("r0@x.test", EventType.Delivered), ("r1@x.test", EventType.Deferred)], summary.Recipients.Select(r => (r.Address, r.Status)));
        Assert.Equal("transient", summary.Recipients[1].BounceCategory);
        Assert.Null(summary.Recipients.Single(r => r.Index == 0).BounceCategory);
        Assert.Equal([true, true, true, true], new[] { "HasAccepted", "HasDelivered", "HasDeferred", "Category_transient" }.Select(f => row.GetBoolean(f) == true));
    }

    [Fact]
    public void Two_merges_of_one_message_become_one_and_a_later_step_is_never_undone()
    {
        var first = SummaryRows.Merge("t1", "abc", [Event(0, EventType.Accepted, 0), Event(1, EventType.Accepted, 0), Event(1, EventType.Deferred, 1)]);
        var second = SummaryRows.Merge("t1", "abc", [Event(0, EventType.Delivered, 1), Event(1, EventType.Accepted, 0)]);
        var summary = SummaryRows.Read(SummaryRows.Combine(first, second));

        Assert.Equal([EventType.Delivered, EventType.Deferred], summary.Recipients.Select(r => r.Status));
        Assert.Equal(T0, summary.AcceptedAt);
    }
}
