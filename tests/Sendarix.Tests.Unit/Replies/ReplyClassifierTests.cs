using Sendarix.Core.Replies;

namespace Sendarix.Tests.Unit;

public sealed class ReplyClassifierTests
{
    [Theory]
    [InlineData(200, ReplyClass.Success)]
    [InlineData(250, ReplyClass.Success)]
    [InlineData(251, ReplyClass.Success)]
    [InlineData(299, ReplyClass.Success)]
    [InlineData(354, ReplyClass.Success)]
    [InlineData(399, ReplyClass.Success)]
    [InlineData(400, ReplyClass.Temporary)]
    [InlineData(421, ReplyClass.Temporary)]
    [InlineData(451, ReplyClass.Temporary)]
    [InlineData(499, ReplyClass.Temporary)]
    [InlineData(500, ReplyClass.Permanent)]
    [InlineData(550, ReplyClass.Permanent)]
    [InlineData(554, ReplyClass.Permanent)]
    [InlineData(599, ReplyClass.Permanent)]
    [InlineData(0, ReplyClass.Temporary)]
    [InlineData(-1, ReplyClass.Temporary)]
    [InlineData(199, ReplyClass.Temporary)]
    [InlineData(600, ReplyClass.Temporary)]
    public void Classifies_by_reply_code(int code, ReplyClass expected)
    {
        Assert.Equal(expected, ReplyClassifier.Classify(code));
        Assert.Equal(expected, new SmtpReply(code, "text").Class);
    }

    [Fact]
    public void A_connection_failure_is_temporary_and_shows_only_its_text()
    {
        var reply = SmtpReply.ConnectionFailure("Connection refused");

        Assert.Equal(new SmtpReply(0, "Connection refused"), reply);
        Assert.Equal(ReplyClass.Temporary, reply.Class);
        Assert.Equal("Connection refused", reply.ToString());
    }

    [Fact]
    public void A_reply_shows_its_code_and_text()
    {
        Assert.Equal("550 5.1.1 No such user", new SmtpReply(550, "5.1.1 No such user").ToString());
    }
}
