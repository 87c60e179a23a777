using Sendarix.Core.Smtp;

namespace Sendarix.Tests.Unit.Smtp;

public sealed class DsnParametersTests
{
    [Fact]
    public void MAIL_keeps_what_the_library_knows_and_takes_RET_and_ENVID()
    {
        Assert.True(DsnParameters.TryTakeFromMail("MAIL FROM:<a@b.example> SIZE=100 RET=HDRS ENVID=QQ314159+2Bx BODY=8BITMIME", out var line, out var ret, out var envid, out _));
        Assert.Equal("MAIL FROM:<a@b.example> SIZE=100 BODY=8BITMIME", line);
        Assert.Equal(DsnReturn.Headers, ret);
        Assert.Equal("QQ314159+x", envid);
    }

    [Fact]
    public void A_line_without_DSN_parameters_is_forwarded_as_it_is()
    {
        Assert.True(DsnParameters.TryTakeFromMail("MAIL FROM:<a@b.example> SIZE=100", out var line, out var ret, out var envid, out _));
        Assert.Equal("MAIL FROM:<a@b.example> SIZE=100", line);
        Assert.Equal((DsnReturn.Unspecified, (string?)null), (ret, envid));
        Assert.True(DsnParameters.TryTakeFromRcpt("RCPT TO:<c@d.example>", out var rcpt, out var dsn, out _));
        Assert.Equal("RCPT TO:<c@d.example>", rcpt);
        Assert.True(dsn.IsEmpty);
    }

    [Fact]
    public void RCPT_takes_NOTIFY_and_ORCPT()
    {
        Assert.True(DsnParameters.TryTakeFromRcpt("RCPT TO:<c@d.example> NOTIFY=FAILURE,DELAY ORCPT=rfc822;Old+2Bbox@d.example", out var line, out var dsn, out _));
        Assert.Equal("RCPT TO:<c@d.example>", line);
        Assert.Equal(DsnNotify.Failure | DsnNotify.Delay, dsn.Notify);
        Assert.Equal("rfc822;Old+box@d.example", dsn.OriginalRecipient);
        Assert.True(DsnParameters.TryTakeFromRcpt("RCPT TO:<c@d.example> notify=never", out _, out var never, out _));
        Assert.Equal(DsnNotify.Never, never.Notify);
    }

    [Theory]
    [InlineData("MAIL FROM:<a@b.example> RET=ALL")]
    [InlineData("MAIL FROM:<a@b.example> RET=FULL RET=HDRS")]
    [InlineData("MAIL FROM:<a@b.example> ENVID=")]
    [InlineData("MAIL FROM:<a@b.example> ENVID=bad+zz")]
    [InlineData("MAIL FROM:<a@b.example> ENVID=a+20b")]
    public void Malformed_MAIL_parameters_are_refused_with_501(string line)
    {
        Assert.False(DsnParameters.TryTakeFromMail(line, out _, out _, out _, out var error));
        Assert.StartsWith("501 5.5.4", error);
    }

    [Theory]
    [InlineData("RCPT TO:<c@d.example> NOTIFY=NEVER,FAILURE")]
    [InlineData("RCPT TO:<c@d.example> NOTIFY=SOMETIMES")]
    [InlineData("RCPT TO:<c@d.example> NOTIFY=FAILURE,FAILURE")]
    [InlineData("RCPT TO:<c@d.example> NOTIFY=SUCCESS NOTIFY=FAILURE")]
    [InlineData("RCPT TO:<c@d.example> ORCPT=c@d.example")]
    [InlineData("RCPT TO:<c@d.example> ORCPT=rfc822;")]
    public void Malformed_RCPT_parameters_are_refused_with_501(string line)
    {
        Assert.False(DsnParameters.TryTakeFromRcpt(line, out _, out _, out var error));
        Assert.StartsWith("501 5.5.4", error);
    }

    [Fact]
    public void Xtext_round_trips()
    {
        Assert.Equal("a+b=c d", DsnParameters.DecodeXtext(DsnParameters.EncodeXtext("a+b=c d")));
        Assert.Equal("a+2Bb+3Dc+20d", DsnParameters.EncodeXtext("a+b=c d"));
    }
}
