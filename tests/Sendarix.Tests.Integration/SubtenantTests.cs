using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// Sub-tenants: a platform tenant's customers, named by the login's subaddress (<c>username+customer</c>) or by the
/// X-Sendarix-Subtenant header, from Python's smtplib. One customer's bounce rate pauses that customer only; events
/// name the sub-tenant; malformed, unknown, conflicting and over-limit names get 550 5.7.1 saying so.
/// </summary>
public sealed class SubtenantTests : IAsyncLifetime
{
    readonly SmtpSink _sink = new(IPAddress.Loopback) { RcptReply = r => r.StartsWith("bad-", StringComparison.Ordinal) ? "550 5.1.1 No such user" : "250 2.1.5 OK" };
    readonly Dnsmasq _dns = new();
    Relay _relay = null!;

    public async Task InitializeAsync()
    {
        await _dns.StartAsync([]);
        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Sendarix:Delivery:Routes:0:Domain"] = "*";
        settings["Sendarix:Delivery:Routes:0:Hosts:0"] = _sink.HostPort;
        settings["Sendarix:Reputation:MinimumSends"] = "4";
        settings["Sendarix:Reputation:MaxBounceRate"] = "0.5";
        settings["Sendarix:Stats:FlushInterval"] = "00:00:00.500";
        _relay = await Relay.StartAsync(settings, _dns);
    }

    public async Task DisposeAsync()
    {
        await _relay.DisposeAsync();
        _dns.Dispose();
        await _sink.DisposeAsync();
    }

    [Fact]
    public async Task One_customer_s_bounces_pause_that_customer_only_and_every_event_names_its_sub_tenant()
    {
        var platform = await _relay.CreateTenantAsync("platform");
        await Relay.ReadAsync(await _relay.Api.PutAsJsonAsync($"/v1/tenants/{platform.TenantId}/subtenants/Acme", new { name = "Acme Corp" }), HttpStatusCode.Created);
        await Relay.ReadAsync(await _relay.Api.PatchAsJsonAsync($"/v1/tenants/{platform.TenantId}", new { implicitSubtenants = true }), HttpStatusCode.OK);
        var acme = platform with { Username = platform.Username + "+acme" };

        // Acme's mail (named by the login) goes to the simulator's bounce@: four hard bounces of four sends pause Acme.
        // Simulated outcomes count in a sub-tenant's window, never in the tenant's own.
        for (var i = 0; i < 4; i++)
        {
            var id = await SubmitAsync(acme, $"bounce+{i}@simulator.invalid");
            await _relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "bounced");
        }

        var paused = await Eventually.GetAsync(SubtenantAsync(platform, "acme"), s => s.GetProperty("pausedReason").ValueKind == JsonValueKind.String,
            TimeSpan.FromSeconds(30), "Acme to be paused");
        Assert.StartsWith("bounce rate 100.0% over the last 4 sends", paused.GetProperty("pausedReason").GetString());
        Assert.Equal(4, paused.GetProperty("reputation").GetProperty("hardBounced").GetInt32());

        // Acme is refused at MAIL FROM (once each front-end's cache of a second has passed); Globex (named by the header,
        // created on first use) and the tenant itself go on.
        // A message accepted before the cache turns over is Acme's too, and is delivered: the statistics below count it.
        var slipped = 0;
        var (code, text) = await Eventually.GetAsync(async () =>
        {
            var reply = await SendAsync(acme, "ok@sink.test", "");
            slipped += reply.Item1 == 250 ? 1 : 0;
            return reply;
        }, r => r.Item1 != 250, TimeSpan.FromSeconds(10), "Acme to be refused");
        Assert.Equal(550, code);
        Assert.StartsWith("5.7.1 Sending is paused for sub-tenant acme (bounce rate", text);
        var globexTo = $"globex-{Guid.NewGuid():N}@sink.test";
        var globexMessage = await SubmitAsync(platform, globexTo, header: "X-Sendarix-Subtenant: Globex\r\n");
        var ownMessage = await SubmitAsync(platform, $"own-{Guid.NewGuid():N}@sink.test");
        await _relay.WaitForStatusAsync(globexMessage, TimeSpan.FromSeconds(30), "delivered");
        await _relay.WaitForStatusAsync(ownMessage, TimeSpan.FromSeconds(30), "delivered");
        Assert.Equal(JsonValueKind.Null, (await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{platform.TenantId}"), HttpStatusCode.OK))
            .GetProperty("pausedReason").ValueKind);

        // The header is not delivered; each message and every one of its events names its sub-tenant (or none).
        var delivered = Encoding.UTF8.GetString(_sink.Messages.Single(m => m.Recipients.Contains(globexTo)).Data);
        Assert.DoesNotContain("X-Sendarix-Subtenant", delivered, StringComparison.OrdinalIgnoreCase);
        await AssertSubtenantAsync(globexMessage, "globex");
        await AssertSubtenantAsync(ownMessage, null);

        // A search by sub-tenant finds its messages only, each naming it.
        var found = await Eventually.GetAsync(
            async () => await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{platform.TenantId}/messages?subtenant=Globex"), HttpStatusCode.OK),
            p => p.GetProperty("items").GetArrayLength() > 0, TimeSpan.FromSeconds(30), "Globex's message to be searchable");
        var hit = Assert.Single(found.GetProperty("items").EnumerateArray());
        Assert.Equal(globexMessage, hit.GetProperty("id").GetString());
        Assert.Equal("globex", hit.GetProperty("subtenant").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await _relay.Api.GetAsync($"/v1/tenants/{platform.TenantId}/messages?subtenant=a%20b")).StatusCode);
        var globex = await SubtenantAsync(platform, "globex")();
        Assert.True(globex.GetProperty("createdImplicitly").GetBoolean());
        Assert.Equal(JsonValueKind.Null, globex.GetProperty("pausedReason").ValueKind);

        // Acme's pause is the tenant's event, naming Acme; the operator's resume lets Acme send again.
        var events = await _relay.WaitForTenantEventAsync(platform.TenantId, "tenant.paused", TimeSpan.FromSeconds(30));
        var pause = Assert.Single(events.EnumerateArray(), e => e.GetProperty("type").GetString() == "tenant.paused");
        Assert.Equal("acme", pause.GetProperty("subtenant").GetString());
        await Relay.ReadAsync(await _relay.Api.PostAsync($"/v1/tenants/{platform.TenantId}/subtenants/acme/resume", null), HttpStatusCode.OK);
        var again = await Eventually.GetAsync(() => TrySubmitAsync(acme, $"again-{Guid.NewGuid():N}@sink.test"), id => id is not null,
            TimeSpan.FromSeconds(30), "Acme to be accepted again after the resume");
        await _relay.WaitForStatusAsync(again!, TimeSpan.FromSeconds(30), "delivered");
        await AssertSubtenantAsync(again, "acme");

        var list = await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{platform.TenantId}/subtenants"), HttpStatusCode.OK);
        Assert.Equal(["acme", "globex"], list.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetString()));

        // Statistics count each sub-tenant apart (the tenant's own message is in no sub-tenant's group).
        var stats = await Eventually.GetAsync(
            async () => await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{platform.TenantId}/stats?groupBy=subtenant"), HttpStatusCode.OK),
            s => Sums(s).Count == 2 && Sums(s)[0] == ("acme", 1 + slipped, 4) && Sums(s)[1] == ("globex", 1, 0), TimeSpan.FromSeconds(30), "each sub-tenant counted");
        Assert.Equal([("acme", 1L + slipped, 4L), ("globex", 1L, 0L)], Sums(stats));
        Assert.Equal(0, stats.GetProperty("reputation").GetProperty("hardBounced").GetInt32());
    }

    // Delivered and bounced per group, over every interval, in group order.
    static List<(string?, long, long)> Sums(JsonElement stats) =>
        [.. stats.GetProperty("intervals").EnumerateArray().SelectMany(i => i.GetProperty("groups").EnumerateArray())
            .GroupBy(g => g.GetProperty("group").GetString()).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Sum(x => x.GetProperty("delivered").GetInt64()), g.Sum(x => x.GetProperty("bounced").GetInt64())))];

    [Fact]
    public async Task Malformed_unknown_conflicting_and_over_limit_names_get_550_5_7_1_saying_which()
    {
        var tenant = await _relay.CreateTenantAsync("names");
        await Relay.ReadAsync(await _relay.Api.PutAsJsonAsync($"/v1/tenants/{tenant.TenantId}/subtenants/acme", new { }), HttpStatusCode.Created);

        Assert.Equal((550, "5.7.1 The sub-tenant id in the login's subaddress must start with a letter or digit"),
            await RefusedAsync(tenant with { Username = tenant.Username + "+-acme" }, ""));
        Assert.Equal((550, "5.7.1 Unknown sub-tenant nobody: create it through the API first (or let the tenant create sub-tenants on first use)"),
            await RefusedAsync(tenant with { Username = tenant.Username + "+nobody" }, ""));
        Assert.Equal((550, "5.7.1 X-Sendarix-Subtenant names sub-tenant globex, but the login's subaddress names acme"),
            await RefusedAsync(tenant with { Username = tenant.Username + "+acme" }, "X-Sendarix-Subtenant: globex\r\n"));
        Assert.Equal((550, "5.7.1 The sub-tenant id in X-Sendarix-Subtenant may hold only letters, digits, '.', '_' and '-'"),
            await RefusedAsync(tenant, "X-Sendarix-Subtenant: a b\r\n"));

        // With implicit creation and room for two, a third new name is refused; existing ones still send.
        await Relay.ReadAsync(await _relay.Api.PatchAsJsonAsync($"/v1/tenants/{tenant.TenantId}", new { implicitSubtenants = true, maxSubtenants = 2 }), HttpStatusCode.OK);
        await Eventually.GetAsync(() => SendAsync(tenant, $"ok-{Guid.NewGuid():N}@sink.test", "X-Sendarix-Subtenant: second\r\n"), r => r.Item1 == 250,
            TimeSpan.FromSeconds(10), "a new sub-tenant to be created on first use");
        Assert.Equal((550, "5.7.1 Sub-tenant third cannot be created: the account has 2 sub-tenants, as many as it may have"),
            await RefusedAsync(tenant, "X-Sendarix-Subtenant: third\r\n"));
        await SubmitAsync(tenant with { Username = tenant.Username + "+acme" }, $"ok-{Guid.NewGuid():N}@sink.test");
        var full = await _relay.Api.PutAsJsonAsync($"/v1/tenants/{tenant.TenantId}/subtenants/fourth", new { });
        Assert.Equal(HttpStatusCode.Conflict, full.StatusCode);

        // Another tenant's key sees none of them.
        var other = await _relay.CreateTenantAsync("other");
        var issued = await Relay.ReadAsync(await _relay.Api.PostAsJsonAsync($"/v1/tenants/{other.TenantId}/api-keys", new { label = "ci" }), HttpStatusCode.Created);
        using var api = new HttpClient { BaseAddress = _relay.Api.BaseAddress };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issued.GetProperty("key").GetString());
        foreach (var path in new[] { $"/v1/tenants/{tenant.TenantId}/subtenants", $"/v1/tenants/{tenant.TenantId}/subtenants/acme" })
        {
            var response = await api.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
        }

        Assert.Equal(HttpStatusCode.NotFound, (await api.PutAsJsonAsync($"/v1/tenants/{tenant.TenantId}/subtenants/mine", new { })).StatusCode);
        await Relay.ReadAsync(await api.PutAsJsonAsync($"/v1/tenants/{other.TenantId}/subtenants/mine", new { }), HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_credential_issued_for_a_sub_tenant_sends_as_it_only_and_a_sub_tenant_s_own_limits_hold()
    {
        var tenant = await _relay.CreateTenantAsync("limits");
        foreach (var id in new[] { "acme", "beta", "gamma" })
        {
            await Relay.ReadAsync(await _relay.Api.PutAsJsonAsync($"/v1/tenants/{tenant.TenantId}/subtenants/{id}", new { }), HttpStatusCode.Created);
        }

        var limited = await Relay.ReadAsync(await _relay.Api.PutAsJsonAsync($"/v1/tenants/{tenant.TenantId}/subtenants/beta/limits", new { messagesPerDay = 1 }),
            HttpStatusCode.OK);
        Assert.Equal(1, limited.GetProperty("limits").GetProperty("messagesPerDay").GetInt32());
        await Relay.ReadAsync(await _relay.Api.PutAsJsonAsync($"/v1/tenants/{tenant.TenantId}/subtenants/gamma/limits", new { recipientsPerMessage = 1 }), HttpStatusCode.OK);
        await Relay.ReadAsync(await _relay.Api.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/credentials", new { subtenant = "nobody" }), HttpStatusCode.BadRequest);
        var issued = await Relay.ReadAsync(await _relay.Api.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/credentials", new { label = "acme", subtenant = "Acme" }),
            HttpStatusCode.Created);
        Assert.Equal("acme", issued.GetProperty("subtenant").GetString());
        var acme = tenant with { Username = issued.GetProperty("username").GetString()!, Secret = issued.GetProperty("secret").GetString()! };

        // The credential's messages are Acme's, whatever else the client says; naming another sub-tenant is refused.
        var first = await SubmitAsync(acme, $"ok-{Guid.NewGuid():N}@sink.test");
        Assert.Equal((550, "5.7.1 X-Sendarix-Subtenant names sub-tenant beta, but the credential names acme"), await RefusedAsync(acme, "X-Sendarix-Subtenant: beta\r\n"));
        Assert.Equal((550, "5.7.1 The login's subaddress names sub-tenant beta, but the credential names acme"),
            await RefusedAsync(acme with { Username = acme.Username + "+beta" }, ""));
        await _relay.WaitForStatusAsync(first, TimeSpan.FromSeconds(30), "delivered");
        await AssertSubtenantAsync(first, "acme");

        // Beta's day is over after one message (its own limit); the tenant's other mail is not limited.
        var beta = tenant with { Username = tenant.Username + "+beta" };
        await SubmitAsync(beta, $"ok-{Guid.NewGuid():N}@sink.test");
        var (code, text) = await SendAsync(beta, $"ok-{Guid.NewGuid():N}@sink.test", "");
        Assert.Equal(451, code);
        Assert.StartsWith("4.7.1 Sending limit of 1 messages per day reached", text);
        await SubmitAsync(tenant, $"ok-{Guid.NewGuid():N}@sink.test");

        // Gamma takes one recipient a message: the second RCPT is refused.
        var gamma = tenant with { Username = tenant.Username + "+gamma" };
        var (rcptCode, rcptText) = await PythonSmtp.SubmitAsync(_relay.StartTlsPort, "starttls", gamma, gamma.Sender, ["one@sink.test", "two@sink.test"],
            Mail.Sample(gamma.Sender, "one@sink.test", "two recipients"));
        Assert.Equal((452, "4.5.3 Too many recipients (at most 1 per message)"), (rcptCode, rcptText));
    }

    [Fact]
    public async Task A_sub_tenant_with_its_own_suppression_list_suppresses_for_itself_alone()
    {
        var tenant = await _relay.CreateTenantAsync("lists");
        foreach (var id in new[] { "own", "shared" })
        {
            await Relay.ReadAsync(await _relay.Api.PutAsJsonAsync($"/v1/tenants/{tenant.TenantId}/subtenants/{id}", new { }), HttpStatusCode.Created);
        }

        var set = await Relay.ReadAsync(await _relay.Api.PatchAsJsonAsync($"/v1/tenants/{tenant.TenantId}/subtenants/own", new { ownSuppressionList = true }), HttpStatusCode.OK);
        Assert.True(set.GetProperty("ownSuppressionList").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, (await _relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/subtenants/shared/suppressions")).StatusCode);

        // Own's hard bounce goes on own's list, not the tenant's: own's next message to it is not sent, the tenant's is.
        var own = tenant with { Username = tenant.Username + "+own" };
        var bad = $"bad-{Guid.NewGuid():N}@sink.test";
        await _relay.WaitForStatusAsync(await SubmitAsync(own, bad), TimeSpan.FromSeconds(30), "bounced");
        var list = await Eventually.GetAsync(
            async () => await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/subtenants/own/suppressions"), HttpStatusCode.OK),
            l => l.GetProperty("items").GetArrayLength() == 1, TimeSpan.FromSeconds(10), "the bounce on own's list");
        Assert.Equal(bad, list.GetProperty("items")[0].GetProperty("address").GetString());
        Assert.Equal(0, (await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/suppressions"), HttpStatusCode.OK))
            .GetProperty("items").GetArrayLength());
        await _relay.WaitForStatusAsync(await SubmitAsync(own, bad), TimeSpan.FromSeconds(30), "suppressed");
        await _relay.WaitForStatusAsync(await SubmitAsync(tenant with { Username = tenant.Username + "+shared" }, bad), TimeSpan.FromSeconds(30), "bounced");

        // Added and removed by hand on own's list alone.
        var manual = $"manual-{Guid.NewGuid():N}@sink.test";
        await Relay.ReadAsync(await _relay.Api.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/subtenants/own/suppressions", new { address = manual }), HttpStatusCode.Created);
        await _relay.WaitForStatusAsync(await SubmitAsync(own, manual), TimeSpan.FromSeconds(30), "suppressed");
        Assert.Equal(HttpStatusCode.NoContent, (await _relay.Api.DeleteAsync($"/v1/tenants/{tenant.TenantId}/subtenants/own/suppressions/{manual}")).StatusCode);
        await _relay.WaitForStatusAsync(await SubmitAsync(own, manual), TimeSpan.FromSeconds(30), "delivered");
    }

    Func<Task<JsonElement>> SubtenantAsync(TenantCredential tenant, string id) =>
        async () => await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/subtenants/{id}"), HttpStatusCode.OK);

    async Task AssertSubtenantAsync(string? messageId, string? subtenant)
    {
        var message = await _relay.GetMessageAsync(messageId!);
        Assert.Equal(subtenant, message.GetProperty("subtenant").GetString());
        var events = message.GetProperty("events").EnumerateArray().ToList();
        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.Equal(subtenant, e.GetProperty("subtenant").GetString()));
    }

    async Task<string> SubmitAsync(TenantCredential tenant, string to, string header = "")
    {
        var (code, text) = await SendAsync(tenant, to, header);
        Assert.True(code == 250, $"submission answered {code} {text}");
        return Mail.QueuedId(text);
    }

    async Task<string?> TrySubmitAsync(TenantCredential tenant, string to) =>
        await SendAsync(tenant, to, "") is (250, var text) ? Mail.QueuedId(text) : null;

    Task<(int, string)> SendAsync(TenantCredential tenant, string to, string header) =>
        PythonSmtp.SubmitAsync(_relay.StartTlsPort, "starttls", tenant, tenant.Sender, [to],
            [.. Encoding.ASCII.GetBytes(header), .. Mail.Sample(tenant.Sender, to, "sub-tenant")]);

    Task<(int, string)> RefusedAsync(TenantCredential tenant, string header) => SendAsync(tenant, "ok@sink.test", header);
}
