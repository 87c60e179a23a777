using Sendarix.Core.Bounces;
using Sendarix.Core.Providers;
using Sendarix.Core.Replies;
using Sendarix.Core.Routing;

namespace Sendarix.Tests.Unit.Shaping;

public sealed class DestinationPauseTests
{
    static readonly TimeSpan Default = TimeSpan.FromMinutes(1);

    static (SmtpReply, BounceClassification?) R(int code, string text, string provider = Provider.Default)
    {
        var reply = new SmtpReply(code, text);
        return (reply, reply.Class == ReplyClass.Success ? null : BounceClassifier.Classify(reply, provider));
    }

    [Fact]
    public void A_421_pauses_for_the_default_or_the_window_it_names()
    {
        Assert.Equal(Default, DestinationPause.For([R(421, "4.3.2 Service not available")], Default));
        Assert.Equal(TimeSpan.FromMinutes(10), DestinationPause.For([R(421, "4.3.2 Service busy; try again in 10 minutes")], Default));
    }

    [Fact]
    public void An_ip_back_off_deprioritises_the_ip_and_pauses_nothing()
    {
        Assert.Null(DestinationPause.For([R(451, "4.7.650 The mail server has been temporarily rate limited due to IP reputation", Provider.Microsoft)], Default));
        Assert.Null(DestinationPause.For([R(421, "4.7.0 [192.0.2.1] Too many connections from your IP")], Default));
    }

    [Fact]
    public void A_45x_pauses_only_when_every_recipient_got_it()
    {
        Assert.Equal(Default, DestinationPause.For([R(451, "4.3.0 Try later"), R(451, "4.3.0 Try later")], Default));
        Assert.Null(DestinationPause.For([R(451, "4.3.0 Try later"), R(250, "2.1.5 OK")], Default));
    }

    [Fact]
    public void An_upstreams_454_throttle_to_the_whole_attempt_pauses_the_upstream()
    {
        Assert.Equal(Default, DestinationPause.For([R(454, "Throttling failure: Maximum sending rate exceeded", Provider.Upstream)], Default));
    }

    [Fact]
    public void Greylisting_full_mailboxes_successes_and_bounces_never_pause()
    {
        Assert.Null(DestinationPause.For([R(450, "4.2.0 Greylisted, try again in 60 seconds")], Default));
        Assert.Null(DestinationPause.For([R(452, "4.2.2 Mailbox full")], Default));
        Assert.Null(DestinationPause.For([R(250, "2.0.0 OK")], Default));
        Assert.Null(DestinationPause.For([R(550, "5.1.1 No such user")], Default));
    }

    [Fact]
    public void Profile_changes_replace_only_the_fields_they_set()
    {
        var gmail = ProviderProfile.Defaults[Provider.Gmail];
        Assert.Equal(new ProviderProfile(5, 50, null, TlsPolicy.Verify), gmail);
        Assert.Equal(new ProviderProfile(2, 50, 120, TlsPolicy.Verify), gmail.With(new ProviderProfileChange(ConnectionsPerIp: 2, MessagesPerMinutePerIp: 120)));
        Assert.Equal(TlsPolicy.Opportunistic, gmail.With(new ProviderProfileChange(RequireTls: false)).Tls);
        Assert.Equal(new ProviderProfile(10, 100, null, TlsPolicy.Opportunistic), ProviderProfile.Defaults[Provider.Default]);
    }
}
