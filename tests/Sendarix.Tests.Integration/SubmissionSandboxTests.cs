using System.Text.Json;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// The sandbox's submission addresses, seen by a client outside .NET: the relay fails on purpose, at the step and
/// with the timing it promises, and stores nothing of it.
/// </summary>
[Collection(RelayCollection.Name)]
public sealed class SubmissionSandboxTests(RelayFixture fixture)
{
    const string Domain = "simulator.invalid";

    Relay Relay => fixture.Relay;

    [Theory]
    [InlineData("submit-451-rcpt", "rcpt", 451, "4.3.0")]
    [InlineData("submit-452-rcpt", "rcpt", 452, "4.5.3")]
    [InlineData("submit-451-data", "data", 451, "4.3.0")]
    public async Task Refusals_come_at_their_step_with_their_code(string localPart, string stage, int code, string enhanced)
    {
        var tenant = await Relay.CreateTenantAsync();
        var result = await SubmitAsync(tenant, $"{localPart}+{Guid.NewGuid():N}@{Domain}", timeoutSeconds: 10);

        Assert.Equal(stage, result.GetProperty("stage").GetString());
        Assert.Equal(code, result.GetProperty("code").GetInt32());
        Assert.StartsWith(enhanced, result.GetProperty("text").GetString());
        Assert.EndsWith("(simulated)", result.GetProperty("text").GetString());
        await AssertNothingStoredAsync(tenant);
    }

    [Fact]
    public async Task The_connection_drops_after_the_data_without_a_reply()
    {
        var tenant = await Relay.CreateTenantAsync();
        var result = await SubmitAsync(tenant, $"submit-drop-data@{Domain}", timeoutSeconds: 10);

        Assert.Equal("disconnected", result.GetProperty("stage").GetString());
        Assert.True(result.GetProperty("seconds").GetDouble() < 5, "the connection closed at once, not at the client's time-out");
        await AssertNothingStoredAsync(tenant);
    }

    [Fact]
    public async Task A_slow_reply_outlasts_a_short_client_timeout_and_is_a_451_for_a_patient_one()
    {
        // The relay holds the reply for Sendarix:Smtp:SandboxReplyDelay, 3 s in the tests.
        var tenant = await Relay.CreateTenantAsync();
        var impatient = await SubmitAsync(tenant, $"submit-slow-data+a@{Domain}", timeoutSeconds: 1);
        var patient = await SubmitAsync(tenant, $"submit-slow-data+b@{Domain}", timeoutSeconds: 10);

        Assert.Equal("timeout", impatient.GetProperty("stage").GetString());
        Assert.InRange(impatient.GetProperty("seconds").GetDouble(), 0.9, 2.9);
        Assert.Equal("data", patient.GetProperty("stage").GetString());
        Assert.Equal(451, patient.GetProperty("code").GetInt32());
        Assert.InRange(patient.GetProperty("seconds").GetDouble(), 2.9, 9);
        await AssertNothingStoredAsync(tenant);
    }

    [Fact]
    public async Task The_sandbox_port_greets_with_421_and_closes()
    {
        var output = await PythonScript.RunAsync("python3", "sandbox.py", "greeting", "127.0.0.1", Relay.SandboxPort.ToString());
        var result = JsonDocument.Parse(output).RootElement;

        Assert.Equal(421, result.GetProperty("code").GetInt32());
        Assert.Equal("4.3.2 Service not available; closing connection (simulated)", result.GetProperty("text").GetString());
    }

    async Task<JsonElement> SubmitAsync(TenantCredential tenant, string to, int timeoutSeconds)
    {
        var output = await PythonScript.RunWithFileAsync("python3", "sandbox.py", Mail.Sample(tenant.Sender, to, "Sandbox"),
            "submit", "127.0.0.1", Relay.StartTlsPort.ToString(), tenant.Username, tenant.Secret, tenant.Sender, to, timeoutSeconds.ToString(), "{file}");
        return JsonDocument.Parse(output).RootElement;
    }

    // A message the tenant then sends for real is delivered, and it is the only one the relay keeps of the tenant.
    async Task AssertNothingStoredAsync(TenantCredential tenant)
    {
        var to = $"after-sandbox-{Guid.NewGuid():N}@sink.test";
        var id = await Relay.SubmitAsync(tenant, [to], "After the sandbox");
        await Relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "delivered");

        // The search rows are written just after the ledger's, so the message may need a moment to be found.
        var found = await Eventually.GetAsync(() => Relay.SearchIdsAsync(tenant.TenantId), ids => ids.Count > 0, TimeSpan.FromSeconds(10), "the message to be searchable");
        Assert.Equal([id], found);
    }
}
