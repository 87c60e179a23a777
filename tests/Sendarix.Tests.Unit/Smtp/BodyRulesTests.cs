using System.Text;
using Sendarix.Core.Smtp;

namespace Sendarix.Tests.Unit;

public sealed class BodyRulesTests
{
    [Theory]
    [InlineData("")]
    [InlineData("no line break at all")]
    [InlineData("\r\n")]
    [InlineData("Subject: hi\r\n\r\nHello\r\n")]
    [InlineData("\r\n\r\n\r\n")]
    [InlineData("a\r\n.\r\nb\r\n")]
    [InlineData("line without final break\r\nlast")]
    public void Proper_crlf_bodies_have_no_bare_line_break(string body)
    {
        Assert.Equal(-1, BodyRules.IndexOfBareLineBreak(Encoding.ASCII.GetBytes(body)));
    }

    [Theory]
    [InlineData("\n", 0)]
    [InlineData("a\nb", 1)]
    [InlineData("a\r\nb\nc", 4)]
    [InlineData("a\r\n\n", 3)]
    [InlineData("Hello\r\n\n.\n", 7)]
    [InlineData("a\r\n.\nSMUGGLED\r\n", 4)]
    [InlineData("\n\r\n", 0)]
    public void Finds_a_bare_lf(string body, int index)
    {
        Assert.Equal(index, BodyRules.IndexOfBareLineBreak(Encoding.ASCII.GetBytes(body)));
    }

    [Theory]
    [InlineData("\r", 0)]
    [InlineData("a\rb", 1)]
    [InlineData("a\r\nb\rc\r\n", 4)]
    [InlineData("\r\r\n", 0)]
    [InlineData("a\r\n\r", 3)]
    [InlineData("ends with CR\r", 12)]
    [InlineData("a\r.\r", 1)]
    public void Finds_a_bare_cr(string body, int index)
    {
        Assert.Equal(index, BodyRules.IndexOfBareLineBreak(Encoding.ASCII.GetBytes(body)));
    }

    [Fact]
    public void Finds_the_first_of_several()
    {
        Assert.Equal(2, BodyRules.IndexOfBareLineBreak("ab\rcd\nef"u8));
        Assert.Equal(2, BodyRules.IndexOfBareLineBreak("ab\ncd\ref"u8));
    }

    [Fact]
    public void Finds_a_bare_lf_deep_in_a_long_body()
    {
        var body = new StringBuilder();
        for (var i = 0; i < 10_000; i++)
        {
            body.Append("0123456789\r\n");
        }

        var clean = Encoding.ASCII.GetBytes(body.ToString());
        var dirty = Encoding.ASCII.GetBytes(body.Append("tail\n").ToString());

        Assert.Equal(-1, BodyRules.IndexOfBareLineBreak(clean));
        Assert.Equal(clean.Length + 4, BodyRules.IndexOfBareLineBreak(dirty));
    }

    [Fact]
    public void Other_bytes_are_not_line_breaks()
    {
        byte[] body = [0x00, 0x0b, 0x0c, 0x85, 0xe2, 0x80, 0xa8, 0x0d, 0x0a];

        Assert.Equal(-1, BodyRules.IndexOfBareLineBreak(body));
    }
}
