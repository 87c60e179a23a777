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
    [InlineData(550, "Requested action not taken: mailbox unavailable", null)]
    [InlineData(450, "4.1.1 Try again later", null)]
    [InlineData(0, "4.4.1 Connection refused", null)]
    public void Only_hard_bounces_of_the_address_suppress(int code, string text, string? reason) =>
        Assert.Equal(reason, SuppressionRules.ReasonFor(code, text, expired: false));

    [Fact]
    public void A_recipient_that_expired_is_suppressed() =>
        Assert.Equal("expired", SuppressionRules.ReasonFor(421, "4.7.0 Try again later", expired: true));

    [Theory]
    [InlineData("Alice@Example.COM", "Alice@example.com")]
    [InlineData(" bob@x.test ", "bob@x.test")]
    public void Addresses_keep_their_local_part_and_lower_case_their_domain(string input, string expected) =>
        Assert.Equal(expected, SuppressionRules.Normalize(input));
}
