using System.Text;
using Sendarix.Core.Smtp;

namespace Sendarix.Tests.Unit.Smtp;

public sealed class EnvelopeCommandsTests
{
    [Fact]
    public void MAIL_has_only_the_parameters_given()
    {
        Assert.Equal("MAIL FROM:<a@b.example>", EnvelopeCommands.Mail("a@b.example", null, false, false, DsnReturn.Unspecified, null));
        Assert.Equal("MAIL FROM:<> SIZE=2048 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ+2B1+3D2",
            EnvelopeCommands.Mail("", 2048, true, true, DsnReturn.Headers, "QQ+1=2"));
        Assert.EndsWith(" RET=FULL", EnvelopeCommands.Mail("a@b.example", null, false, false, DsnReturn.Full, null));
    }

    [Theory]
    [InlineData(DsnNotify.Default, null, "RCPT TO:<c@d.example>")]
    [InlineData(DsnNotify.Never, null, "RCPT TO:<c@d.example> NOTIFY=NEVER")]
    [InlineData(DsnNotify.Failure | DsnNotify.Delay, "rfc822;Old+box@d.example", "RCPT TO:<c@d.example> NOTIFY=FAILURE,DELAY ORCPT=rfc822;Old+2Bbox@d.example")]
    [InlineData(DsnNotify.Success, "rfc822;ü@d.example", "RCPT TO:<c@d.example> NOTIFY=SUCCESS ORCPT=rfc822;+C3+BC@d.example")]
    [InlineData(DsnNotify.Default, "x-local;a=b", "RCPT TO:<c@d.example> ORCPT=x-local;a+3Db")]
    public void RCPT_carries_NOTIFY_and_the_client_ORCPT_as_xtext(DsnNotify notify, string? original, string expected) =>
        Assert.Equal(expected, EnvelopeCommands.Rcpt("c@d.example", notify, original));

    [Fact]
    public void An_ORCPT_read_by_the_front_end_is_written_back_as_it_came()
    {
        Assert.True(DsnParameters.TryTakeFromRcpt("RCPT TO:<c@d.example> ORCPT=rfc822;Old+2Bbox+3D1@d.example", out _, out var dsn, out _));
        Assert.Equal("RCPT TO:<c@d.example> ORCPT=rfc822;Old+2Bbox+3D1@d.example", EnvelopeCommands.Rcpt("c@d.example", dsn.Notify, dsn.OriginalRecipient));
    }

    [Fact]
    public void Data_is_dot_stuffed_and_terminated()
    {
        var body = "Subject: x\r\n\r\n.one\r\nmid.dle\r\n..two\r\n.\r\nend\r\n"u8;
        Assert.Equal("Subject: x\r\n\r\n..one\r\nmid.dle\r\n...two\r\n..\r\nend\r\n.\r\n", EnvelopeCommands.DotStuffedData(body));
    }

    [Fact]
    public void Data_without_a_last_line_break_gets_one()
    {
        Assert.Equal("Subject: x\r\n\r\nend\r\n.\r\n", EnvelopeCommands.DotStuffedData("Subject: x\r\n\r\nend"u8));
        Assert.Equal(".\r\n", EnvelopeCommands.DotStuffedData([]));
    }

    [Fact]
    public void UTF8_text_comes_back_as_the_same_bytes_and_other_8bit_data_is_not_written()
    {
        var body = Encoding.UTF8.GetBytes("Subject: Grüße\r\n\r\n日本語\r\n");
        Assert.Equal([.. body, .. ".\r\n"u8], Encoding.UTF8.GetBytes(EnvelopeCommands.DotStuffedData(body)!));
        Assert.Null(EnvelopeCommands.DotStuffedData([.. "Subject: x\r\n\r\nGr"u8, 0xFC, .. "\r\n"u8]));
    }
}
