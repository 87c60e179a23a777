using System.Net;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>A tenant whose bounce rate passes the threshold is paused, alone, until the operator resumes it.</summary>
public sealed class ReputationTests : IAsyncLifetime
{
    readonly SmtpSink _sink = new(IPAddress.Loopback) { RcptReply = r => r.StartsWith("bad-", StringComparison.Ordinal) ? "550 5.1.1 No such user" : "250 2.1.5 OK" };
    Relay _relay = null!;

    public async Task InitializeAsync()
    {
        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Sendarix:Delivery:Routes:0:Domain"] = "*";
        settings["Sendarix:Delivery:Routes:0:Hosts:0"] = _sink.HostPort;
        settings["Sendarix:Reputation:MinimumSends"] = "4";
        settings["Sendarix:Reputation:MaxBounceRate"] = "0.5";
        _relay = await Relay.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _relay.DisposeAsync();
        await _sink.DisposeAsync();
    }

    [Fact]
    public async Task A_tenant_over_the_bounce_rate_is_paused_without_touching_another_and_the_operator_resumes_it()
    {
        var a = await _relay.CreateTenantAsync("A");
        var b = await _relay.CreateTenantAsync("B");
        var bad = Enumerable.Range(0, 4).Select(i => $"bad-{i}-{Guid.NewGuid():N}@sink.test").ToArray();
        var (code, text) = await PythonSmtp.SubmitAsync(_relay.StartTlsPort, "starttls", a, a.Sender, bad, Mail.Sample(a.Sender, bad[0], "Bad list"));
        Assert.Equal(250, code);
        await _relay.WaitForStatusAsync(Mail.QueuedId(text), TimeSpan.FromSeconds(30), "bounced");

        var paused = await Eventually.GetAsync(
            async () => await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{a.TenantId}"), HttpStatusCode.OK),
            t => t.GetProperty("pausedReason").ValueKind == System.Text.Json.JsonValueKind.String, TimeSpan.FromSeconds(30), "the tenant to be paused");
        Assert.StartsWith("bounce rate 100.0% over the last 4 sends", paused.GetProperty("pausedReason").GetString());

        await Eventually.TrueAsync(async () => (await MailFromAsync(a)).StartsWith("550 5.7.1 Sending is paused", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), "the pause to reach the front-end");
        Assert.StartsWith("250 2.1.0", await MailFromAsync(b));
        var events = await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{a.TenantId}/events"), HttpStatusCode.OK);
        Assert.Contains(events.EnumerateArray(), e => e.GetProperty("type").GetString() == "paused");

        var resumed = await Relay.ReadAsync(await _relay.Api.PostAsync($"/v1/tenants/{a.TenantId}/resume", null), HttpStatusCode.OK);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, resumed.GetProperty("pausedReason").ValueKind);
        await Eventually.TrueAsync(async () => (await MailFromAsync(a)).StartsWith("250 2.1.0", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), "the resumed tenant to send again");
    }

    async Task<string> MailFromAsync(TenantCredential tenant)
    {
        await using var smtp = await RawSmtp.ConnectAsync(_relay.StartTlsPort);
        await smtp.SecureAsync();
        await smtp.LoginAsync(tenant);
        return await smtp.CommandAsync($"MAIL FROM:<{tenant.Sender}>");
    }
}
