using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// Outbound spam filtering with a real rspamd, from Python's smtplib: GTUBE rejected (with a spam_rejected event
/// carrying the verdict), tagged or held per the tenant's policy; a normal message passes with its verdict on its
/// events; a held message is released and delivered; rspamd stopped or hanging gives the configured failure mode
/// within the latency budget (stopped: fail open; hanging: fail closed); repeated spam pauses the tenant.
/// </summary>
public sealed class SpamFilterTests : IAsyncLifetime
{
    const string Gtube = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

    readonly SmtpSink _sink = new(IPAddress.Loopback);
    readonly Dnsmasq _dns = new();
    readonly Rspamd _rspamd = new();
    Relay _relay = null!;

    public async Task InitializeAsync()
    {
        await _dns.StartAsync([]);
        await _rspamd.StartAsync();
    }

    async Task StartRelayAsync(string failureMode = "Open", string? url = null, IReadOnlyDictionary<string, string>? extra = null)
    {
        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Sendarix:Delivery:Routes:0:Domain"] = "*";
        settings["Sendarix:Delivery:Routes:0:Hosts:0"] = _sink.HostPort;
        settings["Sendarix:SpamFilter:Url"] = url ?? _rspamd.Url;
        settings["Sendarix:SpamFilter:Timeout"] = "00:00:01";
        settings["Sendarix:SpamFilter:FailureMode"] = failureMode;
        settings["Sendarix:Reputation:MaxSpamRefusals"] = "3";
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }

        _relay = await Relay.StartAsync(settings, _dns);
    }

    public async Task DisposeAsync()
    {
        if (_relay is not null)
        {
            await _relay.DisposeAsync();
        }

        await _rspamd.DisposeAsync();
        _dns.Dispose();
        await _sink.DisposeAsync();
    }

    [Fact]
    public async Task Spam_is_rejected_with_its_verdict_a_normal_message_passes_and_repeated_spam_pauses_the_tenant()
    {
        await StartRelayAsync();
        var tenant = await TenantWithPolicyAsync("reject");

        var (code, text) = await SendAsync(tenant, $"to-{Guid.NewGuid():N}@sink.test", Gtube);
        Assert.Equal(550, code);
        Assert.StartsWith("5.7.1 Message refused as spam (score 15.00 of 15.00: GTUBE)", text);

        var rejected = await Eventually.GetAsync(() => EventsAsync(tenant, "spam_rejected"), e => e.Count == 1, TimeSpan.FromSeconds(30), "the spam_rejected event");
        var spam = rejected[0].GetProperty("spam");
        Assert.Equal("reject", spam.GetProperty("action").GetString());
        Assert.Equal(15.0, spam.GetProperty("score").GetDouble());
        Assert.Contains(spam.GetProperty("symbols").EnumerateArray(), s => s.GetProperty("name").GetString() == "GTUBE");
        Assert.Equal(tenant.Sender, rejected[0].GetProperty("from").GetString());

        // A normal message is scanned, delivered untouched by verdict fields, and its events carry the verdict.
        var to = $"ham-{Guid.NewGuid():N}@sink.test";
        var id = await SubmitAsync(tenant, to, "Hello Bob, see you at the meeting tomorrow.");
        await _relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "delivered");
        var delivered = Encoding.UTF8.GetString(_sink.Messages.Single(m => m.Recipients.Contains(to)).Data);
        Assert.DoesNotContain("X-Spam", delivered, StringComparison.OrdinalIgnoreCase);
        var message = await _relay.GetMessageAsync(id);
        Assert.All(message.GetProperty("events").EnumerateArray(), e => Assert.NotEqual("reject", e.GetProperty("spam").GetProperty("action").GetString()));

        // Three refusals in the window pause the tenant (Sendarix:Reputation:MaxSpamRefusals).
        await SendAsync(tenant, $"to-{Guid.NewGuid():N}@sink.test", Gtube);
        await SendAsync(tenant, $"to-{Guid.NewGuid():N}@sink.test", Gtube);
        var paused = await Eventually.GetAsync(
            async () => await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}"), HttpStatusCode.OK),
            t => t.GetProperty("pausedReason").ValueKind == JsonValueKind.String, TimeSpan.FromSeconds(30), "the tenant to be paused");
        Assert.StartsWith("3 messages refused as spam", paused.GetProperty("pausedReason").GetString());

        // Statistics count the refusals and the delivery; the reputation window shows the refusals against their limit.
        var stats = await Eventually.GetAsync(
            async () => await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/stats"), HttpStatusCode.OK),
            s => Sum(s, "spamRejected") == 3 && Sum(s, "delivered") == 1, TimeSpan.FromSeconds(30), "the refusals to be counted");
        Assert.Equal(3, stats.GetProperty("reputation").GetProperty("spamRefused").GetInt32());
        Assert.Equal(3, stats.GetProperty("reputation").GetProperty("maxSpamRefusals").GetInt32());
    }

    [Fact]
    public async Task Spam_is_tagged_or_held_per_policy_and_a_held_message_is_released_and_delivered()
    {
        await StartRelayAsync();
        var tagging = await TenantWithPolicyAsync("tag");
        var tagged = $"tagged-{Guid.NewGuid():N}@sink.test";
        await _relay.WaitForStatusAsync(await SubmitAsync(tagging, tagged, Gtube), TimeSpan.FromSeconds(30), "delivered");
        var data = Encoding.UTF8.GetString(_sink.Messages.Single(m => m.Recipients.Contains(tagged)).Data);
        Assert.Contains("\r\nX-Spam: Yes\r\n", data);
        Assert.Contains("X-Spam-Status: Yes, score=15.00 required=15.00 action=reject", data);

        var holding = await TenantWithPolicyAsync("hold");
        var to = $"held-{Guid.NewGuid():N}@sink.test";
        var id = await SubmitAsync(holding, to, Gtube);
        var held = await _relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "held");
        var heldEvent = held.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "held");
        Assert.Equal("reject", heldEvent.GetProperty("spam").GetProperty("action").GetString());

        var list = await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{holding.TenantId}/held"), HttpStatusCode.OK);
        var item = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal(id, item.GetProperty("id").GetString());
        Assert.Equal(15.0, item.GetProperty("spam").GetProperty("score").GetDouble());
        Assert.DoesNotContain(_sink.Messages, m => m.Recipients.Contains(to));

        // Another tenant cannot release it; the tenant can, once.
        var other = await TenantWithPolicyAsync("hold");
        Assert.Equal(HttpStatusCode.NotFound, (await _relay.Api.PostAsync($"/v1/tenants/{other.TenantId}/held/{id}/release", null)).StatusCode);
        await Relay.ReadAsync(await _relay.Api.PostAsync($"/v1/tenants/{holding.TenantId}/held/{id}/release", null), HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.NotFound, (await _relay.Api.PostAsync($"/v1/tenants/{holding.TenantId}/held/{id}/release", null)).StatusCode);
        var released = await _relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "delivered");
        Assert.Equal(["accepted", "held", "released", "delivered"], released.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        Assert.Contains("X-Spam: Yes", Encoding.UTF8.GetString(_sink.Messages.Single(m => m.Recipients.Contains(to)).Data));

        // A deleted one is never delivered.
        var doomed = $"doomed-{Guid.NewGuid():N}@sink.test";
        var deleted = await SubmitAsync(holding, doomed, Gtube);
        await _relay.WaitForStatusAsync(deleted, TimeSpan.FromSeconds(30), "held");
        await Relay.ReadAsync(await _relay.Api.DeleteAsync($"/v1/tenants/{holding.TenantId}/held/{deleted}"), HttpStatusCode.OK);
        await _relay.WaitForStatusAsync(deleted, TimeSpan.FromSeconds(30), "failed");
        Assert.Empty((await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{holding.TenantId}/held"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray());
        Assert.DoesNotContain(_sink.Messages, m => m.Recipients.Contains(doomed));
        await Eventually.GetAsync(
            async () => await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{holding.TenantId}/stats"), HttpStatusCode.OK),
            s => Sum(s, "held") == 2 && Sum(s, "failed") == 1 && Sum(s, "delivered") == 1, TimeSpan.FromSeconds(30), "the held messages to be counted");
    }

    [Fact]
    public async Task Held_messages_expire_at_their_lifetime_while_more_are_held_and_are_never_delivered()
    {
        // A lifetime of seconds, looked for every two: the hold's reminder, not a release, ends it. Messages held every
        // second or so meanwhile must not keep moving the reminder's next tick on.
        await StartRelayAsync(extra: new Dictionary<string, string>
        {
            ["Sendarix:Retry:MaxLifetime"] = "00:00:04",
            ["Sendarix:Retry:HeldExpiryCheck"] = "00:00:02",
            ["Sendarix:Reputation:MaxSpamRefusals"] = "1000",
        });
        var holding = await TenantWithPolicyAsync("hold");
        var to = $"expiring-{Guid.NewGuid():N}@sink.test";
        var id = await SubmitAsync(holding, to, Gtube);
        await _relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "held");

        var recipients = new List<string> { to };
        var deadline = Stopwatch.StartNew();
        JsonElement expired;
        while (!Expired(expired = await _relay.GetMessageAsync(id)))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "the first held message did not expire while more were held");
            var more = $"expiring-{Guid.NewGuid():N}@sink.test";
            recipients.Add(more);
            // Held, or already past its own few seconds on a slow machine.
            await _relay.WaitForStatusAsync(await SubmitAsync(holding, more, Gtube), TimeSpan.FromSeconds(30), "held", "expired");
        }

        var events = expired.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["accepted", "held", "expired"], events.Select(e => e.GetProperty("type").GetString()));
        var last = events[^1];
        Assert.StartsWith("554 5.4.7", last.GetProperty("reply").GetString());
        Assert.True(last.GetProperty("time").GetDateTimeOffset() >= events[0].GetProperty("time").GetDateTimeOffset().AddSeconds(4));
        Assert.Equal(HttpStatusCode.NotFound, (await _relay.Api.PostAsync($"/v1/tenants/{holding.TenantId}/held/{id}/release", null)).StatusCode);

        // The others follow, and none was ever delivered.
        await Eventually.GetAsync(async () => await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{holding.TenantId}/held"), HttpStatusCode.OK),
            l => l.GetProperty("items").GetArrayLength() == 0, TimeSpan.FromSeconds(60), "every held message to expire");
        Assert.DoesNotContain(_sink.Messages, m => m.Recipients.Any(recipients.Contains));

        static bool Expired(JsonElement message) =>
            message.GetProperty("recipients").EnumerateArray().All(r => r.GetProperty("status").GetString() == "expired");
    }

    static long Sum(JsonElement stats, string field) =>
        stats.GetProperty("intervals").EnumerateArray().SelectMany(i => i.GetProperty("groups").EnumerateArray()).Sum(g => g.GetProperty(field).GetInt64());

    [Fact]
    public async Task With_rspamd_stopped_mid_run_the_relay_fails_open_and_marks_the_message_unscanned()
    {
        await StartRelayAsync("Open");
        var tenant = await TenantWithPolicyAsync("reject");
        Assert.Equal(550, (await SendAsync(tenant, $"to-{Guid.NewGuid():N}@sink.test", Gtube)).Item1);

        await _rspamd.StopAsync();
        var id = await SubmitAsync(tenant, $"open-{Guid.NewGuid():N}@sink.test", Gtube);
        var message = await _relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "delivered");
        var spam = message.GetProperty("events").EnumerateArray().First().GetProperty("spam");
        Assert.Equal("unscanned", spam.GetProperty("action").GetString());
        Assert.Equal("filter unavailable", spam.GetProperty("unscanned").GetString());

        // rspamd may answer its ping a moment before it scans as it did: a message sent meanwhile passes (fail open).
        await _rspamd.StartAsync();
        await Eventually.TrueAsync(async () => (await SendAsync(tenant, $"to-{Guid.NewGuid():N}@sink.test", Gtube)).Item1 == 550,
            TimeSpan.FromSeconds(30), "GTUBE to be refused again once rspamd is back");
    }

    [Fact]
    public async Task With_rspamd_hanging_the_relay_fails_closed_with_451_within_the_budget()
    {
        // A listener that takes the connection and never answers: rspamd too slow.
        using var hanging = new TcpListener(IPAddress.Loopback, 0);
        hanging.Start();
        var accepted = new List<Socket>();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                accepted.Add(await hanging.AcceptSocketAsync());
            }
        });
        await StartRelayAsync("Closed", $"http://127.0.0.1:{((IPEndPoint)hanging.LocalEndpoint).Port}");
        var tenant = await TenantWithPolicyAsync("reject");

        var clock = Stopwatch.StartNew();
        var (code, text) = await SendAsync(tenant, $"to-{Guid.NewGuid():N}@sink.test", "A normal message.");
        Assert.Equal(451, code);
        Assert.Equal("4.7.1 The spam filter is unavailable; try again later", text);

        // The budget is 1 s; the whole session (TLS, AUTH, the Python start) stays well within a few.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"the session took {clock.Elapsed}");
        Assert.NotEmpty(accepted);
        foreach (var socket in accepted)
        {
            socket.Dispose();
        }
    }

    async Task<TenantCredential> TenantWithPolicyAsync(string policy)
    {
        var tenant = await _relay.CreateTenantAsync($"spam-{policy}");
        var updated = await Relay.ReadAsync(await _relay.Api.PatchAsJsonAsync($"/v1/tenants/{tenant.TenantId}", new { spamFilter = policy }), HttpStatusCode.OK);
        Assert.Equal(policy, updated.GetProperty("spamFilter").GetString());
        return tenant;
    }

    async Task<List<JsonElement>> EventsAsync(TenantCredential tenant, string type) =>
        [.. (await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/events"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == type)];

    async Task<string> SubmitAsync(TenantCredential tenant, string to, string body)
    {
        var (code, text) = await SendAsync(tenant, to, body);
        Assert.True(code == 250, $"submission answered {code} {text}");
        return Mail.QueuedId(text);
    }

    Task<(int, string)> SendAsync(TenantCredential tenant, string to, string body) =>
        PythonSmtp.SubmitAsync(_relay.StartTlsPort, "starttls", tenant, tenant.Sender, [to], Encoding.ASCII.GetBytes(
            $"From: <{tenant.Sender}>\r\nTo: <{to}>\r\nSubject: A test\r\nMessage-ID: <{Guid.NewGuid():N}@client.test>\r\nDate: Thu, 03 Dec 2026 22:00:00 +0000\r\n\r\n{body}\r\n"));
}
