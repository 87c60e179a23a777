using System.Collections.ObjectModel;
using Sendarix.Core.Events;
using Sendarix.Core.Search;

namespace Sendarix.Tests.Unit.Search;

public sealed class MessageQueryTests
{
    static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    static readonly MessageSummary Message = new("t1-abc", "t1", "acme", T0, "app@sender.test", "id-1@client.test", "Invoice 42 for March", ["billing"],
        new Dictionary<string, string> { ["customer"] = "c-7" }.AsReadOnly(),
        [
            new RecipientStanding(0, "ann@one.test", EventType.Delivered, 1, T0, 1, "250 ok", null, null),
            new RecipientStanding(1, "bob@two.test", EventType.Bounced, 1, T0, 1, "550 5.1.1 unknown", "invalid_recipient", null),
        ]);

    [Fact]
    public void The_most_selective_indexed_filter_drives()
    {
        Assert.Null(new MessageQuery { SubjectPrefix = "inv", Status = EventType.Bounced }.Driver);
        Assert.Null(new MessageQuery { Domain = "One.Test", Sender = "a@b.c", SubjectPrefix = "x" }.Driver);
        Assert.Equal((SearchField.Recipient, "ann@one.test"), new MessageQuery { Domain = "one.test", Sender = "a@b.c", Recipient = "Ann@one.test" }.Driver);
        Assert.Equal((SearchField.MessageId, "x@y"), new MessageQuery { Recipient = "ann@one.test", Tag = "t", MessageIdHeader = "<x@y>" }.Driver);
    }

    [Theory]
    [InlineData(true, null, null, null, null, null, null, null)]
    [InlineData(true, "ANN@one.test", null, null, null, null, null, null)]
    [InlineData(false, "carl@one.test", null, null, null, null, null, null)]
    [InlineData(true, null, "two.test", null, null, null, null, null)]
    [InlineData(true, null, null, "invoice 42", "Billing", "Customer=c-7", null, null)]
    [InlineData(false, null, null, "march", null, null, null, null)]
    [InlineData(false, null, null, null, "news", null, null, null)]
    [InlineData(false, null, null, null, null, "customer=c-8", null, null)]
    [InlineData(true, null, null, null, null, null, EventType.Bounced, "invalid_recipient")]
    [InlineData(true, "bob@two.test", null, null, null, null, EventType.Bounced, null)]
    [InlineData(false, "ann@one.test", null, null, null, null, EventType.Bounced, null)]
    [InlineData(false, "ann@one.test", null, null, null, null, null, "invalid_recipient")]
    [InlineData(false, null, null, null, null, null, EventType.Deferred, null)]
    public void Every_filter_must_hold_and_a_status_belongs_to_the_recipient_searched_for(
        bool matches, string? recipient, string? domain, string? subject, string? tag, string? metadata, EventType? status, string? category)
    {
        var query = new MessageQuery
        {
            Recipient = recipient, Domain = domain, SubjectPrefix = subject, Tag = tag, Metadata = metadata, Status = status, BounceCategory = category,
        };
        Assert.Equal(matches, query.Matches(Message));
    }

    [Fact]
    public void The_acceptance_window_includes_its_ends()
    {
        Assert.True(new MessageQuery { Since = T0, Until = T0 }.Matches(Message));
        Assert.False(new MessageQuery { Since = T0.AddTicks(1) }.Matches(Message));
        Assert.False(new MessageQuery { Until = T0.AddTicks(-1) }.Matches(Message));
        Assert.True(new MessageQuery { Sender = "APP@sender.test", MessageIdHeader = "<id-1@client.test>" }.Matches(Message));
    }

    [Fact]
    public void A_sub_tenant_matches_in_any_case_and_a_tenant_s_own_message_is_in_none()
    {
        Assert.True(new MessageQuery { Subtenant = "ACME" }.Matches(Message));
        Assert.False(new MessageQuery { Subtenant = "globex" }.Matches(Message));
        Assert.False(new MessageQuery { Subtenant = "acme" }.Matches(Message with { Subtenant = null }));
    }

    [Fact]
    public void Bad_filters_are_named()
    {
        Assert.Empty(new MessageQuery { Recipient = "a@b.c", BounceCategory = "spam_block" }.Problems());
        var problems = new MessageQuery
        {
            Tag = " ", Metadata = "no-pair", BounceCategory = "nope", Sender = new string('a', 1000), Since = T0, Until = T0.AddDays(-1), Subtenant = "a b",
        }.Problems();
        Assert.Equal(["bounceCategory", "metadata", "sender", "since", "subtenant", "tag"], problems.Keys.Order());
    }

    [Theory]
    [InlineData("queued", EventType.Accepted)]
    [InlineData("bounced", EventType.Bounced)]
    [InlineData("complained", EventType.Complained)]
    public void Statuses_are_named_as_the_api_shows_them(string name, EventType type)
    {
        Assert.True(RecipientStatus.TryParse(name, out var parsed));
        Assert.Equal(type, parsed);
        Assert.Equal(name, RecipientStatus.Name(type));
    }

    [Theory]
    [InlineData("accepted")]
    [InlineData("tenant.paused")]
    [InlineData("Bounced")]
    [InlineData(null)]
    public void Only_message_statuses_are_statuses(string? name) => Assert.False(RecipientStatus.TryParse(name, out _));
}
