using Sendarix.Core.Sandbox;

namespace Sendarix.Tests.Unit.Sandbox;

public sealed class MailboxSimulatorTests
{
    [Theory]
    [InlineData("success", 0, 250)]
    [InlineData("Success+tag-1", 0, 250)]
    [InlineData("bounce", 0, 550)]
    [InlineData("defer", 0, 421)]
    [InlineData("defer", 1, 250)]
    [InlineData("greylist", 0, 450)]
    [InlineData("greylist", 1, 250)]
    [InlineData("timeout", 3, 0)]
    [InlineData("blocked", 0, 550)]
    [InlineData("toolarge", 0, 552)]
    [InlineData("nobody", 0, 550)]
    public void Each_address_answers_its_reply(string local, int previousAttempts, int code) =>
        Assert.Equal(code, MailboxSimulator.For(local, previousAttempts).Reply.Code);

    [Fact]
    public void Complaint_and_suppressed_are_flagged_and_every_address_is_documented()
    {
        Assert.True(MailboxSimulator.For("complaint+x", 0).Complaint);
        Assert.True(MailboxSimulator.For("suppressed", 0).Suppressed);
        Assert.All(MailboxSimulator.Addresses.Keys, local => Assert.DoesNotContain("No such simulator address", MailboxSimulator.For(local, 0).Reply.Text));
    }
}
