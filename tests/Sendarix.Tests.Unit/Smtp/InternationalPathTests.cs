using Sendarix.Core.Smtp;

namespace Sendarix.Tests.Unit.Smtp;

public sealed class InternationalPathTests
{
    [Fact]
    public void An_ascii_line_is_forwarded_as_it_is()
    {
        const string Line = "RCPT TO:<user@example.com>";
        Assert.True(InternationalPath.TryNormalize(Line, smtpUtf8: false, sender: false, out var forwarded, out _));
        Assert.Same(Line, forwarded);
    }

    [Fact]
    public void A_utf8_domain_becomes_its_A_label_and_the_local_part_stays()
    {
        Assert.True(InternationalPath.TryNormalize("MAIL FROM:<José@Bücher.example> SMTPUTF8 SIZE=10", smtpUtf8: true, sender: true, out var forwarded, out _));
        Assert.Equal("MAIL FROM:<José@xn--bcher-kva.example> SMTPUTF8 SIZE=10", forwarded);
        Assert.True(InternationalPath.TryNormalize("RCPT TO:<用户@例子.测试>", smtpUtf8: true, sender: false, out var rcpt, out _));
        Assert.Equal("RCPT TO:<用户@xn--fsqu00a.xn--0zwm56d>", rcpt);
    }

    [Fact]
    public void A_non_ascii_path_without_SMTPUTF8_is_refused()
    {
        Assert.False(InternationalPath.TryNormalize("RCPT TO:<josé@example.com>", smtpUtf8: false, sender: false, out _, out var error));
        Assert.StartsWith("553 5.6.7", error);
    }

    [Fact]
    public void A_domain_that_is_not_one_is_refused()
    {
        Assert.False(InternationalPath.TryNormalize("RCPT TO:<a@bü_cher..example>", smtpUtf8: true, sender: false, out _, out var error));
        Assert.StartsWith("501 5.1.3", error);
    }

    [Theory]
    [InlineData("MAIL FROM:<a@b.example> SMTPUTF8", true)]
    [InlineData("MAIL FROM:<a@b.example> smtputf8 BODY=8BITMIME", true)]
    [InlineData("MAIL FROM:<a@b.example> BODY=8BITMIME", false)]
    [InlineData("MAIL FROM:<SMTPUTF8@b.example>", false)]
    public void SMTPUTF8_is_a_MAIL_parameter(string line, bool asks) => Assert.Equal(asks, InternationalPath.AsksForSmtpUtf8(line));

    [Fact]
    public void Only_a_non_ascii_local_part_needs_SMTPUTF8_at_the_next_hop()
    {
        Assert.True(InternationalPath.HasInternationalLocalPart("josé@example.com"));
        Assert.False(InternationalPath.HasInternationalLocalPart("jose@xn--bcher-kva.example"));
    }
}
