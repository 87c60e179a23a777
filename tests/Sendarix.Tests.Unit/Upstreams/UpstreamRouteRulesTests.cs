using Sendarix.Core.Bounces;
using Sendarix.Core.Providers;
using Sendarix.Core.Replies;
using Sendarix.Core.Routing;
using Sendarix.Core.Upstreams;

namespace Sendarix.Tests.Unit.Upstreams;

public sealed class UpstreamRouteRulesTests
{
    sealed record R(string Name, IReadOnlyList<string> Domains);

    static R? Pick(string? from, params R[] routes) => UpstreamRouteRules.Pick(routes, r => r.Name, r => r.Domains, from);

    [Fact]
    public void A_route_for_the_sender_domain_wins_over_the_catch_all()
    {
        var all = new R("all", []);
        var shop = new R("shop", ["shop.example"]);
        Assert.Same(shop, Pick("shop.example", all, shop));
        Assert.Same(all, Pick("other.example", all, shop));
        Assert.Same(all, Pick(null, all, shop));
    }

    [Fact]
    public void Without_a_catch_all_other_senders_go_direct()
    {
        Assert.Null(Pick("other.example", new R("shop", ["shop.example"])));
        Assert.Null(Pick(null, new R("shop", ["shop.example"])));
        Assert.Null(Pick("shop.example"));
    }

    [Fact]
    public void A_sender_domain_matches_in_either_spelling()
    {
        var route = new R("idn", ["xn--bcher-kva.example"]);
        Assert.Same(route, Pick("Bücher.example", route));
        Assert.Same(route, Pick("XN--BCHER-KVA.EXAMPLE", route));
    }

    [Fact]
    public void Among_equals_the_first_by_name_wins()
    {
        var b = new R("b", []);
        var a = new R("a", []);
        Assert.Same(a, Pick("x.example", b, a));
    }

    [Theory]
    [InlineData("sendgrid", true)]
    [InlineData("my-ses-1", true)]
    [InlineData("-x", false)]
    [InlineData("Upper", false)]
    [InlineData("a.b", false)]
    public void Route_names_are_plain(string name, bool valid) => Assert.Equal(valid, UpstreamRouteRules.Name().IsMatch(name));

    [Fact]
    public void The_sender_domain_is_the_envelope_senders_and_none_for_the_null_sender()
    {
        Assert.Equal("shop.example", UpstreamRouteRules.SenderDomain("app@shop.example"));
        Assert.Null(UpstreamRouteRules.SenderDomain(""));
    }

    [Fact]
    public void Presets_use_STARTTLS_with_a_verified_certificate_and_a_login()
    {
        Assert.Equal(UpstreamPresets.All.Count, UpstreamPresets.All.Select(p => p.Key).Distinct().Count());
        Assert.All(UpstreamPresets.All, p =>
        {
            Assert.Equal(587, p.Port);
            Assert.Equal(TlsPolicy.Verify, p.Profile.Tls);
            Assert.NotEqual(UpstreamAuthMechanism.None, p.Mechanism);
        });
        Assert.Equal("apikey", UpstreamPresets.Find("SendGrid")!.Username);
        Assert.Equal(30, UpstreamPresets.Find("office365")!.Profile.MessagesPerMinutePerIp);
    }

    [Fact]
    public void Amazon_SES_needs_a_region_of_the_right_form()
    {
        var ses = UpstreamPresets.Find("amazon-ses")!;
        Assert.True(ses.NeedsRegion);
        Assert.Equal(new HostPort("email-smtp.eu-west-1.amazonaws.com", 587), ses.Endpoint("eu-west-1"));
        Assert.Equal(new HostPort("email-smtp.us-gov-west-1.amazonaws.com", 587), ses.Endpoint("us-gov-west-1"));
        Assert.Null(ses.Endpoint(null));
        Assert.Null(ses.Endpoint("evil.example/x"));
        Assert.Equal(new HostPort("smtp.sendgrid.net", 587), UpstreamPresets.Find("sendgrid")!.Endpoint(null));
    }

    [Fact]
    public void An_upstreams_block_text_never_moves_mail_off_the_relays_IP()
    {
        var reply = new SmtpReply(550, "5.7.1 Service unavailable; client host blocked using Spamhaus");
        Assert.Equal(BounceAction.BackOffIp, BounceClassifier.Classify(reply, Provider.Default).Action);
        Assert.NotEqual(BounceAction.BackOffIp, BounceClassifier.Classify(reply, Provider.Upstream).Action);
    }

    [Fact]
    public void Account_refusals_are_marked_as_the_upstreams()
    {
        Assert.StartsWith(BounceClassifier.UpstreamAccountRule,
            BounceClassifier.Classify(new SmtpReply(451, "Authentication failed: Maximum credits exceeded"), Provider.Upstream).Rule);
        Assert.DoesNotContain("upstream", BounceClassifier.Classify(new SmtpReply(451, "Authentication failed: Maximum credits exceeded"), Provider.Default).Rule);
    }
}
