using Sendarix.Core.Sandbox;

namespace Sendarix.Tests.Unit.Sandbox;

public sealed class SubmissionSimulatorTests
{
    const string Domain = "simulator.invalid";

    [Theory]
    [InlineData("submit-451-rcpt@simulator.invalid", SubmissionBehaviour.RefuseRecipient)]
    [InlineData("submit-452-rcpt+x@simulator.invalid", SubmissionBehaviour.TooManyRecipients)]
    [InlineData("SUBMIT-451-DATA@Simulator.Invalid", SubmissionBehaviour.RefuseAfterData)]
    [InlineData("submit-drop-data+order-42@simulator.invalid", SubmissionBehaviour.DropAfterData)]
    [InlineData("submit-slow-data@simulator.invalid", SubmissionBehaviour.SlowReplyAfterData)]
    [InlineData("success@simulator.invalid", SubmissionBehaviour.None)]
    [InlineData("submit-451-rcpt@example.com", SubmissionBehaviour.None)]
    [InlineData("submit-451-rcpt@sub.simulator.invalid", SubmissionBehaviour.None)]
    [InlineData("not-an-address", SubmissionBehaviour.None)]
    public void Each_address_has_its_behaviour_and_only_at_the_sandbox_domain(string address, SubmissionBehaviour behaviour)
    {
        Assert.Equal(behaviour, SubmissionSimulator.For(address, Domain));
    }

    [Fact]
    public void Without_a_sandbox_domain_nothing_is_simulated()
    {
        Assert.Equal(SubmissionBehaviour.None, SubmissionSimulator.For("submit-451-rcpt@simulator.invalid", ""));
    }

    [Fact]
    public void The_first_data_stage_address_decides_for_the_whole_message()
    {
        Assert.Equal(SubmissionBehaviour.DropAfterData, SubmissionSimulator.AfterData(
            ["a@example.com", "submit-451-rcpt@simulator.invalid", "submit-drop-data@simulator.invalid", "submit-451-data@simulator.invalid"], Domain));
        Assert.Equal(SubmissionBehaviour.None, SubmissionSimulator.AfterData(["a@example.com", "success@simulator.invalid"], Domain));
    }
}
