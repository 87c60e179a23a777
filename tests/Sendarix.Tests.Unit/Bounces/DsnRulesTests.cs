using Sendarix.Core.Bounces;
using Sendarix.Core.Retry;
using Sendarix.Core.Smtp;

namespace Sendarix.Tests.Unit.Bounces;

public sealed class DsnRulesTests
{
    const string Sender = "app@shop.example";

    [Theory]
    [InlineData(DispositionKind.Bounced)]
    [InlineData(DispositionKind.Expired)]
    [InlineData(DispositionKind.Failed)]
    [InlineData(DispositionKind.Suppressed)]
    public void A_final_failure_is_reported_by_default_and_when_asked(DispositionKind outcome)
    {
        Assert.Equal(DsnAction.Failed, DsnRules.For(Sender, null, outcome, 0));
        Assert.Equal(DsnAction.Failed, DsnRules.For(Sender, DsnNotify.Failure | DsnNotify.Delay, outcome, 3));
        Assert.Equal(DsnAction.None, DsnRules.For(Sender, DsnNotify.Success, outcome, 0));
        Assert.Equal(DsnAction.None, DsnRules.For(Sender, DsnNotify.Never, outcome, 0));
    }

    [Fact]
    public void A_delay_is_reported_once_and_only_when_asked()
    {
        Assert.Equal(DsnAction.Delayed, DsnRules.For(Sender, DsnNotify.Delay, DispositionKind.Deferred, 0));
        Assert.Equal(DsnAction.None, DsnRules.For(Sender, DsnNotify.Delay, DispositionKind.Deferred, 1));
        Assert.Equal(DsnAction.None, DsnRules.For(Sender, null, DispositionKind.Deferred, 0));
        Assert.Equal(DsnAction.None, DsnRules.For(Sender, DsnNotify.Failure, DispositionKind.Deferred, 0));
    }

    [Fact]
    public void The_null_sender_never_gets_one_so_notifications_cannot_loop()
    {
        Assert.Equal(DsnAction.None, DsnRules.For("", DsnNotify.Failure, DispositionKind.Bounced, 0));
        Assert.Equal(DsnAction.None, DsnRules.For("", DsnNotify.Delay, DispositionKind.Deferred, 0));
    }

    [Fact]
    public void A_delivery_is_never_reported_by_the_relay()
    {
        Assert.Equal(DsnAction.None, DsnRules.For(Sender, DsnNotify.Success, DispositionKind.Delivered, 0));
    }
}
