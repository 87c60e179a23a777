using Sendarix.Core.Replies;
using Sendarix.Core.Retry;

namespace Sendarix.Tests.Unit;

public sealed class DispositionTests
{
    static readonly DateTimeOffset Accepted = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    static readonly DateTimeOffset Now = Accepted.AddMinutes(30);

    [Theory]
    [InlineData(250)]
    [InlineData(251)]
    [InlineData(200)]
    [InlineData(299)]
    public void Success_is_delivered(int code)
    {
        var disposition = Disposition.Decide(new SmtpReply(code, "ok"), 1, Accepted, Now, RetryPolicy.Default);

        Assert.Equal(new Disposition(DispositionKind.Delivered, null), disposition);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(550)]
    [InlineData(554)]
    [InlineData(599)]
    public void Permanent_failure_bounces(int code)
    {
        var disposition = Disposition.Decide(new SmtpReply(code, "no"), 1, Accepted, Now, RetryPolicy.Default);

        Assert.Equal(new Disposition(DispositionKind.Bounced, null), disposition);
    }

    [Theory]
    [InlineData(400, 1, 300)]
    [InlineData(421, 1, 300)]
    [InlineData(450, 2, 600)]
    [InlineData(451, 3, 1200)]
    [InlineData(499, 9, 4000)]
    public void Temporary_failure_is_deferred_on_the_schedule(int code, int failedAttempts, int seconds)
    {
        var disposition = Disposition.Decide(new SmtpReply(code, "later"), failedAttempts, Accepted, Now, RetryPolicy.Default);

        Assert.Equal(new Disposition(DispositionKind.Deferred, Now.AddSeconds(seconds)), disposition);
    }

    [Fact]
    public void Connection_failure_is_deferred()
    {
        var reply = SmtpReply.ConnectionFailure("Connection refused");

        var disposition = Disposition.Decide(reply, 1, Accepted, Now, RetryPolicy.Default);

        Assert.Equal(0, reply.Code);
        Assert.Equal(new Disposition(DispositionKind.Deferred, Now.AddSeconds(300)), disposition);
    }

    [Fact]
    public void Deferral_honours_the_destination_back_off()
    {
        var notBefore = Now.AddHours(1);

        var disposition = Disposition.Decide(new SmtpReply(451, "later"), 1, Accepted, Now, RetryPolicy.Default, notBefore);

        Assert.Equal(new Disposition(DispositionKind.Deferred, notBefore), disposition);
    }

    [Fact]
    public void Temporary_failure_after_the_lifetime_expires()
    {
        var late = Accepted.AddDays(5);

        Assert.Equal(new Disposition(DispositionKind.Expired, null), Disposition.Decide(new SmtpReply(451, "later"), 7, Accepted, late, RetryPolicy.Default));
        Assert.Equal(new Disposition(DispositionKind.Expired, null), Disposition.Decide(SmtpReply.ConnectionFailure("timed out"), 7, Accepted, late, RetryPolicy.Default));
    }

    [Fact]
    public void Final_replies_after_the_lifetime_still_count()
    {
        var late = Accepted.AddDays(6);

        Assert.Equal(DispositionKind.Delivered, Disposition.Decide(new SmtpReply(250, "ok"), 7, Accepted, late, RetryPolicy.Default).Kind);
        Assert.Equal(DispositionKind.Bounced, Disposition.Decide(new SmtpReply(550, "no"), 7, Accepted, late, RetryPolicy.Default).Kind);
    }
}
