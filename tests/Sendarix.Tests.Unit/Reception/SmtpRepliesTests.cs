using Sendarix.Core.Tags;
using Sendarix.Reception.Session;

namespace Sendarix.Tests.Unit;

public sealed class SmtpRepliesTests
{
    [Theory]
    [InlineData("Example.COM", "example.com")]
    [InlineData("bücher.de", "xn--bcher-kva.de")]
    public void An_unverified_sender_reply_names_the_domain_in_ascii(string domain, string named)
    {
        var reply = SmtpReplies.UnverifiedSender("From header", domain);

        Assert.StartsWith("5.7.1 ", reply.Message);
        Assert.Contains($" {named} ", reply.Message);
        Assert.True(reply.Message.All(char.IsAscii), reply.Message);
    }

    [Fact]
    public void A_domain_with_no_ascii_form_is_not_repeated()
    {
        var reply = SmtpReplies.UnverifiedSender("envelope sender", "bad\u0007domain\u2603.example");

        Assert.True(reply.Message.All(c => char.IsAscii(c) && !char.IsControl(c)), reply.Message);
        Assert.StartsWith("5.7.1 ", reply.Message);
    }

    [Fact]
    public void Refused_tags_get_a_permanent_reply_that_names_the_rule()
    {
        Assert.False(SubmissionTags.TryParse([.. Enumerable.Range(0, 11).Select(i => ("X-Sendarix-Tag", $"t{i}"))], out _, out var refusal));

        var reply = SmtpReplies.TagsRefused(refusal);

        Assert.Equal(550, (int)reply.ReplyCode);
        Assert.StartsWith("5.6.0 Too many tags: at most 10 ", reply.Message);
    }
}
