using Sendarix.Core.Complaints;

namespace Sendarix.Tests.Unit;

public sealed class FeedbackReportTests
{
    [Fact]
    public void Finds_the_relay_id_among_received_headers()
    {
        string[] received =
        [
            "from mx.isp.example by inbound.isp.example with ESMTPS id 4Zq8; Fri, 27 Nov 2026 12:00:00 +0000",
            "from client.test ([127.0.0.1])\r\n\tby relay.test (TLS1.3) with ESMTPSA id tabc123-fzzzwqf1ayvgjtskb2ws2\r\n\tfor <a@b.test>; Fri, 27 Nov 2026 11:59:59 +0000",
        ];
        Assert.Equal("tabc123-fzzzwqf1ayvgjtskb2ws2", FeedbackReport.RelayMessageId(received));
        Assert.Null(FeedbackReport.RelayMessageId(["from x by y with ESMTP id 123"]));
    }

    [Theory]
    [InlineData("rfc822;user@example.org", "user@example.org")]
    [InlineData("rfc822; <user@example.org>", "user@example.org")]
    [InlineData("user@example.org", "user@example.org")]
    [InlineData("rfc822;nobody", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Reads_original_rcpt_to(string? field, string? expected) => Assert.Equal(expected, FeedbackReport.RecipientFromField(field));
}
