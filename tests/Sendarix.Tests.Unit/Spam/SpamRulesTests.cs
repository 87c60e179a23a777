using System.Text;
using Sendarix.Core.Spam;

namespace Sendarix.Tests.Unit.Spam;

public sealed class SpamRulesTests
{
    // rspamd 3.4's reply to GTUBE, and to a plain message (trimmed).
    const string GtubeReply = """
        {"is_skipped":true,"score":15.0,"required_score":15.0,"action":"reject","symbols":{"GTUBE":{"name":"GTUBE","score":0.0,"metric_score":0.0}},
         "messages":{"smtp_message":"Gtube pattern"},"message-id":"1@example.com","time_real":0.146456}
        """;

    const string HamReply = """
        {"is_skipped":false,"score":-0.1,"required_score":15.0,"action":"no action","symbols":{"ARC_NA":{"name":"ARC_NA","score":0.0},
         "MIME_GOOD":{"name":"MIME_GOOD","score":-0.1,"description":"Known content-type","options":["text/plain"]},"FROM_NO_DN":{"name":"FROM_NO_DN","score":0.0}},
         "messages":{},"milter":{"remove_headers":{"X-Spam":0}}}
        """;

    static SpamVerdict Parse(string json)
    {
        Assert.True(RspamdReply.TryParse(Encoding.UTF8.GetBytes(json), out var verdict));
        return verdict;
    }

    [Fact]
    public void Rspamd_s_reply_gives_score_action_and_the_symbols_that_weighed_most()
    {
        var gtube = Parse(GtubeReply);
        Assert.Equal((15.0, 15.0, SpamAction.Reject, (string?)null), (gtube.Score, gtube.RequiredScore, gtube.Action, gtube.Unscanned));
        Assert.Equal([new SpamSymbol("GTUBE", 0)], gtube.Symbols);
        Assert.True(gtube.IsSpam);

        var ham = Parse(HamReply);
        Assert.Equal(SpamAction.NoAction, ham.Action);
        Assert.Equal("MIME_GOOD", ham.Symbols[0].Name);
        Assert.False(ham.IsSpam);
    }

    [Fact]
    public void A_verdict_keeps_at_most_ten_symbols()
    {
        var symbols = string.Join(',', Enumerable.Range(0, 30).Select(i => $"\"S{i:D2}\":{{\"score\":{i}}}"));
        var verdict = Parse("{\"score\":40,\"required_score\":15,\"action\":\"add header\",\"symbols\":{" + symbols + "}}");
        Assert.Equal(SpamVerdict.MaxSymbols, verdict.Symbols.Count);
        Assert.Equal("S29", verdict.Symbols[0].Name);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"score":1}""")]
    [InlineData("""{"action":"reject"}""")]
    [InlineData("""{"score":1,"action":"explode"}""")]
    [InlineData("[]")]
    public void An_unreadable_reply_is_no_verdict(string json) => Assert.False(RspamdReply.TryParse(Encoding.UTF8.GetBytes(json), out _));

    [Theory]
    [InlineData(SpamPolicy.Off, "reject", SpamDecision.Accept)]
    [InlineData(SpamPolicy.Tag, "reject", SpamDecision.Tag)]
    [InlineData(SpamPolicy.Tag, "no action", SpamDecision.Tag)]
    [InlineData(SpamPolicy.Hold, "reject", SpamDecision.Hold)]
    [InlineData(SpamPolicy.Hold, "no action", SpamDecision.Accept)]
    [InlineData(SpamPolicy.Hold, "add header", SpamDecision.Tag)]
    [InlineData(SpamPolicy.Reject, "reject", SpamDecision.Reject)]
    [InlineData(SpamPolicy.Reject, "rewrite subject", SpamDecision.Tag)]
    [InlineData(SpamPolicy.Reject, "greylist", SpamDecision.Accept)]
    [InlineData(SpamPolicy.Reject, "soft reject", SpamDecision.Accept)]
    public void The_policy_decides_what_a_verdict_means(SpamPolicy policy, string action, SpamDecision expected)
    {
        var verdict = Parse($$"""{"score":5,"required_score":15,"action":"{{action}}"}""");
        Assert.Equal(expected, SpamRules.Decide(policy, verdict, SpamFailureMode.Closed));
    }

    [Fact]
    public void Without_a_verdict_the_failure_mode_decides_and_off_never_asks()
    {
        var unscanned = SpamVerdict.NotScanned("filter timeout");
        Assert.False(unscanned.IsSpam);
        Assert.Equal(SpamDecision.Accept, SpamRules.Decide(SpamPolicy.Reject, unscanned, SpamFailureMode.Open));
        Assert.Equal(SpamDecision.TryLater, SpamRules.Decide(SpamPolicy.Hold, unscanned, SpamFailureMode.Closed));
        Assert.Equal(SpamDecision.Accept, SpamRules.Decide(SpamPolicy.Off, unscanned, SpamFailureMode.Closed));
    }

    [Fact]
    public void The_header_and_the_refusal_say_score_action_and_rules()
    {
        Assert.Equal("X-Spam-Status: Yes, score=15.00 required=15.00 action=reject\r\n\tsymbols=GTUBE\r\nX-Spam: Yes\r\n", SpamRules.Header(Parse(GtubeReply)));
        Assert.Equal("X-Spam-Status: No, score=-0.10 required=15.00 action=no_action\r\n\tsymbols=MIME_GOOD,ARC_NA,FROM_NO_DN\r\n", SpamRules.Header(Parse(HamReply)));
        Assert.Equal("score 15.00 of 15.00: GTUBE", SpamRules.RefusalReason(Parse(GtubeReply)));
        Assert.True(SpamRules.IsVerdictField("x-spam-status"u8));
        Assert.False(SpamRules.IsVerdictField("X-Spam-Flag"u8));
    }

    [Theory]
    [InlineData("off", SpamPolicy.Off)]
    [InlineData("HOLD", SpamPolicy.Hold)]
    [InlineData("reject", SpamPolicy.Reject)]
    public void Policies_are_named_in_any_case(string name, SpamPolicy policy)
    {
        Assert.True(SpamPolicies.TryParse(name, out var parsed));
        Assert.Equal(policy, parsed);
        Assert.False(SpamPolicies.TryParse("default", out _));
    }
}
