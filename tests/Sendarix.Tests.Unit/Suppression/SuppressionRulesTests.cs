using Sendarix.Core.Bounces;
using Sendarix.Core.Replies;
using Sendarix.Core.Suppression;

namespace Sendarix.Tests.Unit;

public sealed class SuppressionRulesTests
{
    [Theory]
    [InlineData(550, "5.1.1 The email account that you tried to reach does not exist", "hard_bounce")]
    [InlineData(550, "5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup", "hard_bounce")]
    [InlineData(553, "5.1.3 Bad recipient address syntax", "hard_bounce")]
    [InlineData(550, "5.7.1 Message rejected due to local policy", null)]
    [InlineData(552, "5.2.2 Mailbox full", null)]
    [InlineData(550, "5.1.8 Access denied, bad outbound sender", null)]
    [InlineData(550, "5.7.1 Client host blocked using zen.spamhaus.org", null)]
    [InlineData(550, "5.2.1 The email account that you tried to reach is disabled", "hard_bounce")]
    [InlineData(450, "4.1.1 Try again later", null)]
    [InlineData(0, "4.4.1 Connection refused", null)]
    public void Only_hard_bounces_of_the_address_suppress(int code, string text, string? reason) =>
        Assert.Equal(reason, SuppressionRules.ReasonFor(BounceClassifier.Classify(new SmtpReply(code, text)), expired: false));

    [Theory]
    [InlineData(452, "4.2.2 Mailbox full", "expired")]
    [InlineData(421, "4.3.2 Service not available", "expired")]
    [InlineData(0, "4.4.1 Connection refused", "expired")]
    [InlineData(421, "4.7.0 Too many connections from your IP", null)]
    [InlineData(451, "4.7.650 The mail server has been temporarily rate limited due to IP reputation", null)]
    [InlineData(450, "4.7.1 Client host rejected: cannot find your hostname", null)]
    public void An_expired_recipient_is_suppressed_unless_the_relay_side_held_it_back(int code, string text, string? reason) =>
        Assert.Equal(reason, SuppressionRules.ReasonFor(BounceClassifier.Classify(new SmtpReply(code, text)), expired: true));

    [Theory]
    [InlineData("Alice@Example.COM", "Alice@example.com")]
    [InlineData(" bob@x.test ", "bob@x.test")]
    public void Addresses_keep_their_local_part_and_lower_case_their_domain(string input, string expected) =>
        Assert.Equal(expected, SuppressionRules.Normalize(input));

    [Fact]
    public void An_expiry_while_the_relay_held_the_mail_back_does_not_suppress() =>
        Assert.Null(SuppressionRules.ReasonFor(new BounceClassification(BounceCategory.BadConnection, BounceAction.Retry, null, SuppressionRules.RelayHold), expired: true));
}
