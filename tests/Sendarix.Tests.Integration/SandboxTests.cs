using System.Net;
using System.Text.Json;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// The mailbox simulator: every address acts out its outcome without anything leaving the relay, and none of it
/// counts in the tenant's suppression list or reputation (the thresholds here would pause the tenant otherwise).
/// </summary>
public sealed class SandboxTests(SandboxTests.SandboxRelay sandbox) : IClassFixture<SandboxTests.SandboxRelay>
{
    const string Domain = "simulator.invalid";

    [Theory]
    [InlineData("success", new[] { "delivered" }, null)]
    [InlineData("bounce", new[] { "bounced" }, "invalid_recipient")]
    [InlineData("defer", new[] { "deferred", "delivered" }, "transient")]
    [InlineData("greylist", new[] { "deferred", "delivered" }, "greylisted")]
    [InlineData("timeout", new[] { "deferred" }, "bad_connection")]
    [InlineData("blocked", new[] { "bounced" }, "spam_block")]
    [InlineData("complaint", new[] { "delivered", "complained" }, null)]
    [InlineData("suppressed", new[] { "suppressed" }, null)]
    [InlineData("toolarge", new[] { "bounced" }, "message_too_large")]
    [InlineData("nobody", new[] { "bounced" }, "invalid_recipient")]
    public async Task Each_simulator_address_acts_out_its_outcome(string localPart, string[] events, string? category)
    {
        var relay = sandbox.Relay;
        var tenant = await relay.CreateTenantAsync();
        var to = $"{localPart}+{Guid.NewGuid():N}@{Domain}";
        var id = await relay.SubmitAsync(tenant, [to], localPart);

        // The greylisting window is at least 30 s.
        var view = await Eventually.GetAsync(() => relay.GetMessageAsync(id),
            m => Types(m).Count >= events.Length + 1, TimeSpan.FromSeconds(90), $"the events {string.Join(", ", events)}");

        // "timeout" goes on being deferred; the others end with these events.
        Assert.Equal(["accepted", .. events], localPart == "timeout" ? Types(view).Take(events.Length + 1) : Types(view));
        var first = view.GetProperty("events")[1];
        Assert.Equal(category, first.GetProperty("bounceCategory").ValueKind == JsonValueKind.Null ? null : first.GetProperty("bounceCategory").GetString());
        if (localPart == "greylist")
        {
            var wait = first.GetProperty("nextAttempt").GetDateTimeOffset() - first.GetProperty("time").GetDateTimeOffset();
            Assert.InRange(wait.TotalSeconds, 29, 31);
            var retried = view.GetProperty("events")[2].GetProperty("time").GetDateTimeOffset() - first.GetProperty("time").GetDateTimeOffset();
            Assert.True(retried >= TimeSpan.FromSeconds(29), $"retried after {retried.TotalSeconds:F1} s");
        }

        var suppressions = await Relay.ReadAsync(await relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/suppressions"), HttpStatusCode.OK);
        Assert.Empty(suppressions.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Bounces_and_complaints_of_the_simulator_never_pause_the_tenant()
    {
        var relay = sandbox.Relay;
        var tenant = await relay.CreateTenantAsync();
        var ids = new List<string>();
        foreach (var local in new[] { "bounce", "bounce", "complaint", "bounce", "complaint", "bounce" })
        {
            var to = $"{local}+{Guid.NewGuid():N}@{Domain}";
            ids.Add(await relay.SubmitAsync(tenant, [to], local));
        }

        foreach (var id in ids)
        {
            await relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "bounced", "complained");
        }

        var info = await Relay.ReadAsync(await relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}"), HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, info.GetProperty("pausedReason").ValueKind);
        var to2 = $"success+{Guid.NewGuid():N}@{Domain}";
        await relay.SubmitAsync(tenant, [to2], "still sending");
    }

    static List<string?> Types(JsonElement view) => view.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();

    /// <summary>A relay whose reputation thresholds a handful of real bounces would cross.</summary>
    public sealed class SandboxRelay : IAsyncLifetime
    {
        internal Relay Relay { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
            settings["Sendarix:Reputation:MinimumSends"] = "4";
            settings["Sendarix:Reputation:MaxBounceRate"] = "0.2";
            settings["Sendarix:Reputation:MaxComplaintRate"] = "0.2";
            Relay = await Relay.StartAsync(settings);
        }

        public async Task DisposeAsync() => await Relay.DisposeAsync();
    }
}
