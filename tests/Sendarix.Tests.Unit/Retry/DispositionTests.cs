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

    [Fact]
    public void Greylisting_is_retried_after_its_window_not_the_schedule()
    {
        Assert.Equal(new Disposition(DispositionKind.Deferred, Now.AddSeconds(180)),
            Disposition.Decide(new SmtpReply(450, "4.7.1 Greylisted, please try again in 180 seconds"), 1, Accepted, Now, RetryPolicy.Default));
        Assert.Equal(new Disposition(DispositionKind.Deferred, Now.AddMinutes(1)),
            Disposition.Decide(new SmtpReply(450, "4.2.0 Recipient address rejected: Greylisted"), 3, Accepted, Now, RetryPolicy.Default));
    }

    [Fact]
    public void A_permanent_ip_block_is_retried_through_another_ip_and_bounces_when_none_is_left()
    {
        var block = new SmtpReply(550, "5.7.1 Client host [192.0.2.1] blocked using zen.spamhaus.org");
        Assert.Equal(new Disposition(DispositionKind.Deferred, Now), Disposition.Decide(block, 1, Accepted, Now, RetryPolicy.Default, elsewhereAt: Now));
        // The pool's other IPs are cooling down: it waits for the first to come back rather than bouncing.
        Assert.Equal(new Disposition(DispositionKind.Deferred, Now.AddMinutes(20)),
            Disposition.Decide(block, 1, Accepted, Now, RetryPolicy.Default, elsewhereAt: Now.AddMinutes(20)));
        // Nor before the destination's own back-off.
        Assert.Equal(new Disposition(DispositionKind.Deferred, Now.AddMinutes(30)),
            Disposition.Decide(block, 1, Accepted, Now, RetryPolicy.Default, notBefore: Now.AddMinutes(30), elsewhereAt: Now));
        Assert.Equal(DispositionKind.Bounced, Disposition.Decide(block, 1, Accepted, Now, RetryPolicy.Default).Kind);
        Assert.Equal(DispositionKind.Expired, Disposition.Decide(block, 1, Accepted, Accepted + RetryPolicy.Default.MaxLifetime, RetryPolicy.Default, elsewhereAt: Now).Kind);

        // Another IP changes nothing for a recipient the destination refuses for itself.
        Assert.Equal(DispositionKind.Bounced,
            Disposition.Decide(new SmtpReply(550, "5.1.1 User unknown"), 1, Accepted, Now, RetryPolicy.Default, elsewhereAt: Now).Kind);
    }

    [Fact]
    public void An_ip_block_is_retried_when_temporary()
    {
        Assert.Equal(DispositionKind.Deferred,
            Disposition.Decide(new SmtpReply(421, "4.7.0 [TSS04] Messages temporarily deferred due to unexpected volume"), 1, Accepted, Now, RetryPolicy.Default,
                why: Sendarix.Core.Bounces.BounceClassifier.Classify(new SmtpReply(421, "4.7.0 [TSS04] Messages temporarily deferred due to unexpected volume"), "yahoo")).Kind);
    }
}
