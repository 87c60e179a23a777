using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Data.Tables;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// A tenant whose bounce rate passes the threshold is paused, alone, until the operator resumes it; its counts, like its
/// daily sending count, outlive a restart.
/// </summary>
public sealed class ReputationTests : IAsyncLifetime
{
    readonly SmtpSink _sink = new(IPAddress.Loopback) { RcptReply = r => r.StartsWith("bad-", StringComparison.Ordinal) ? "550 5.1.1 No such user" : "250 2.1.5 OK" };
    readonly Dnsmasq _dns = new();
    Dictionary<string, string?> _settings = null!;
    Relay _relay = null!;

    public async Task InitializeAsync()
    {
        await _dns.StartAsync([]);
        _settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        _settings["Sendarix:Delivery:Routes:0:Domain"] = "*";
        _settings["Sendarix:Delivery:Routes:0:Hosts:0"] = _sink.HostPort;
        _settings["Sendarix:Reputation:MinimumSends"] = "4";
        _settings["Sendarix:Reputation:MaxBounceRate"] = "0.5";
        _relay = await Relay.StartAsync(_settings, _dns);
    }

    public async Task DisposeAsync()
    {
        await _relay.DisposeAsync();
        _dns.Dispose();
        await _sink.DisposeAsync();
    }

    [Fact]
    public async Task Reputation_counts_and_the_daily_count_outlive_a_restart()
    {
        var bouncing = await _relay.CreateTenantAsync("bouncing");
        var limited = await _relay.CreateTenantAsync("limited");
        await Relay.ReadAsync(await _relay.Api.PutAsJsonAsync($"/v1/tenants/{limited.TenantId}/limits", new { messagesPerDay = 2 }), HttpStatusCode.OK);

        // Three hard bounces: below the 4 sends the rates are judged on, so no pause yet. Two messages: the day's limit.
        var bad = Enumerable.Range(0, 3).Select(i => $"bad-{i}-{Guid.NewGuid():N}@sink.test").ToArray();
        await _relay.WaitForStatusAsync(await _relay.SubmitAsync(bouncing, bad, "Bad list"), TimeSpan.FromSeconds(30), "bounced");
        await _relay.SubmitAsync(limited, [$"ok-{Guid.NewGuid():N}@sink.test"], "one");
        await _relay.SubmitAsync(limited, [$"ok-{Guid.NewGuid():N}@sink.test"], "two");
        Assert.Equal(JsonValueKind.Null, (await TenantAsync(bouncing)).GetProperty("pausedReason").ValueKind);

        // The relay stops and starts again on the same storage (new ports, so nothing of the old process is reused).
        await _relay.DisposeAsync();
        foreach (var key in new[] { "Sendarix:Cluster:SiloPort", "Sendarix:Cluster:GatewayPort", "Sendarix:Smtp:StartTlsPort", "Sendarix:Smtp:ImplicitTlsPort", "Sendarix:Smtp:FeedbackPort" })
        {
            _settings[key] = Ports.Free().ToString();
        }

        _settings["Sendarix:Api:Url"] = $"http://127.0.0.1:{Ports.Free()}";
        _relay = await Relay.StartAsync(_settings, _dns);

        // One more bounce makes 4 of 4: paused, which only the three before the restart can explain.
        await _relay.WaitForStatusAsync(await _relay.SubmitAsync(bouncing, [$"bad-3-{Guid.NewGuid():N}@sink.test"], "Bad again"), TimeSpan.FromSeconds(30), "bounced");
        var paused = await Eventually.GetAsync(() => TenantAsync(bouncing), t => t.GetProperty("pausedReason").ValueKind == JsonValueKind.String,
            TimeSpan.FromSeconds(30), "the tenant to be paused");
        Assert.StartsWith("bounce rate 100.0% over the last 4 sends", paused.GetProperty("pausedReason").GetString());

        // The day's two messages were counted before the restart: a third is refused.
        Assert.StartsWith("451 4.7.1 Sending limit of 2 messages per day reached", await MailFromAsync(limited));

        // Reading the limited tenant back from storage changed nobody else's limits.
        var fresh = await _relay.CreateTenantAsync("fresh");
        var limits = (await TenantAsync(fresh)).GetProperty("limits");
        Assert.All(limits.EnumerateObject(), l => Assert.Equal(JsonValueKind.Null, l.Value.ValueKind));
        Assert.StartsWith("250 2.1.0", await MailFromAsync(fresh));
    }

    async Task<JsonElement> TenantAsync(TenantCredential tenant) => await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}"), HttpStatusCode.OK);

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
        await _relay.WaitForTenantEventAsync(a.TenantId, "tenant.paused", TimeSpan.FromSeconds(30));

        var resumed = await Relay.ReadAsync(await _relay.Api.PostAsync($"/v1/tenants/{a.TenantId}/resume", null), HttpStatusCode.OK);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, resumed.GetProperty("pausedReason").ValueKind);
        await Eventually.TrueAsync(async () => (await MailFromAsync(a)).StartsWith("250 2.1.0", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), "the resumed tenant to send again");
    }

    [Fact]
    public async Task A_pause_and_a_resume_whose_events_could_not_be_recorded_are_told_in_order_once_the_log_is_back()
    {
        // Both changes are stored while the tenants' event log cannot be written (its table is gone); neither fails
        // for it. Their events wait in the tenant's state and are recorded, in order and once each, when the log is back.
        var a = await _relay.CreateTenantAsync("Told");
        var tables = new TableServiceClient(_relay.Settings["Sendarix:Storage:ConnectionString"]);
        var log = $"{_relay.Settings["Sendarix:Storage:Prefix"]}TenantEvents";
        await tables.DeleteTableAsync(log);
        try
        {
            var bad = Enumerable.Range(0, 4).Select(i => $"bad-{i}-{Guid.NewGuid():N}@sink.test").ToArray();
            var (code, text) = await PythonSmtp.SubmitAsync(_relay.StartTlsPort, "starttls", a, a.Sender, bad, Mail.Sample(a.Sender, bad[0], "Bad list"));
            Assert.Equal(250, code);
            await Eventually.GetAsync(
                async () => await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{a.TenantId}"), HttpStatusCode.OK),
                t => t.GetProperty("pausedReason").ValueKind == JsonValueKind.String, TimeSpan.FromSeconds(30), "the tenant to be paused");
            var resumed = await Relay.ReadAsync(await _relay.Api.PostAsync($"/v1/tenants/{a.TenantId}/resume", null), HttpStatusCode.OK);
            Assert.Equal(JsonValueKind.Null, resumed.GetProperty("pausedReason").ValueKind);
        }
        finally
        {
            await tables.CreateTableIfNotExistsAsync(log);
        }

        var events = await _relay.WaitForTenantEventAsync(a.TenantId, "tenant.resumed", TimeSpan.FromSeconds(30));
        var told = events.EnumerateArray().Select(e => e.GetProperty("type").GetString()!).Where(t => t.StartsWith("tenant.", StringComparison.Ordinal));
        Assert.Equal(["tenant.resumed", "tenant.paused"], told);
    }

    async Task<string> MailFromAsync(TenantCredential tenant)
    {
        await using var smtp = await RawSmtp.ConnectAsync(_relay.StartTlsPort);
        await smtp.SecureAsync();
        await smtp.LoginAsync(tenant);
        return await smtp.CommandAsync($"MAIL FROM:<{tenant.Sender}>");
    }
}
