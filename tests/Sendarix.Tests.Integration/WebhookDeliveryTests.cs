using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using MailKit.Net.Smtp;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using MailKit.Security;
using MimeKit;
using Sendarix.Tests.Integration.Infrastructure;
using StandardWebhooks;

namespace Sendarix.Tests.Integration;

/// <summary>
/// Events out through webhooks, end to end: the mailbox simulator's outcomes reach a tenant's endpoints signed (and
/// checked here by the StandardWebhooks package's own verifier), carrying tags and metadata from every header style;
/// a failing endpoint is retried on its schedule and gets every event, with the same ids, once it recovers; 410 Gone
/// disables an endpoint and says so; a hanging endpoint delays nobody else; test events and replays arrive.
/// </summary>
public sealed class WebhookDeliveryTests(WebhookDeliveryTests.HooksRelay fixture) : IClassFixture<WebhookDeliveryTests.HooksRelay>
{
    const string Sandbox = "simulator.invalid";
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    Relay Relay => fixture.Relay;

    WebhookReceiver Receiver => fixture.Receiver;

    [Fact]
    public async Task Each_outcome_reaches_the_endpoint_signed_with_tags_and_metadata_and_a_failing_endpoint_gets_it_all_once_it_recovers()
    {
        var tenant = await Relay.CreateTenantAsync("Hooks");
        var path = $"/ok/{Guid.NewGuid():N}";
        var flaky = $"/flaky/{Guid.NewGuid():N}";
        var good = await CreateEndpointAsync(tenant.TenantId, path);
        var failing = await CreateEndpointAsync(tenant.TenantId, flaky);
        Receiver.Fail(flaky);

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(tenant.Sender));
        foreach (var local in new[] { "bounce", "defer", "success" })
        {
            message.To.Add(MailboxAddress.Parse($"{local}+{Guid.NewGuid():N}@{Sandbox}"));
        }

        message.Subject = "Webhooks, end to end";
        message.MessageId = $"{Guid.NewGuid():N}@app.example";
        message.Headers.Add("X-Sendarix-Tag", "welcome");
        message.Headers.Add("X-Sendarix-Metadata-order", "42");
        message.Headers.Add("X-SMTPAPI", """{"category":["sendgrid-cat"],"unique_args":{"user":"u-7"}}""");
        message.Headers.Add("X-PM-Tag", "postmark-tag");
        message.Headers.Add("X-PM-Metadata-plan", "pro");
        message.Headers.Add("X-SES-MESSAGE-TAGS", "campaign=winter, region=eu");
        message.Body = new TextPart("plain") { Text = "Hello" };
        using (var smtp = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true })
        {
            await smtp.ConnectAsync("127.0.0.1", Relay.StartTlsPort, SecureSocketOptions.StartTls);
            await smtp.AuthenticateAsync(tenant.Username, tenant.Secret);
            var reply = await smtp.SendAsync(message);
            await smtp.DisconnectAsync(true);
            Assert.Contains("queued as", reply);
        }

        // accepted x3, bounced, deferred, then the deferred recipient's delivery and the other's.
        var received = await Eventually.GetAsync(() => Task.FromResult(Receiver.Requests.Where(r => r.Path == path).ToList()),
            r => r.Count >= 7, Wait, "seven events at the endpoint");
        var events = received.Select(r => (Request: r, Body: JsonDocument.Parse(r.Body).RootElement)).ToList();
        var verifier = new StandardWebhook(good.Secret);
        foreach (var (request, body) in events)
        {
            // The independent verifier takes the headers as received and the body as text; it throws on a bad signature
            // (or a timestamp too far from now).
            verifier.Verify(Encoding.UTF8.GetString(request.Body), new HeaderDictionary(request.Headers.ToDictionary(h => h.Key, h => new StringValues(h.Value))));
            var data = body.GetProperty("data");
            Assert.Equal(request.Headers["webhook-id"], data.GetProperty("id").GetString());
            Assert.Equal(body.GetProperty("type").GetString(), data.GetProperty("type").GetString());
            Assert.Equal(message.MessageId, data.GetProperty("messageIdHeader").GetString());
            Assert.Equal(tenant.TenantId, data.GetProperty("tenantId").GetString());
            Assert.True(data.GetProperty("sandbox").GetBoolean());
            Assert.Equal(["postmark-tag", "sendgrid-cat", "welcome"], data.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).Order());
            var metadata = data.GetProperty("metadata");
            Assert.Equal("42", metadata.GetProperty("order").GetString());
            Assert.Equal("u-7", metadata.GetProperty("user").GetString());
            Assert.Equal("pro", metadata.GetProperty("plan").GetString());
            Assert.Equal("winter", metadata.GetProperty("campaign").GetString());
        }

        string[] TypesOf(string local) => events.Select(e => e.Body.GetProperty("data"))
            .Where(d => d.GetProperty("recipient").GetString()!.StartsWith(local + "+", StringComparison.Ordinal))
            .OrderBy(d => d.GetProperty("sequence").GetInt32()).Select(d => d.GetProperty("type").GetString()!).ToArray();
        Assert.Equal(["accepted", "bounced"], TypesOf("bounce"));
        Assert.Equal(["accepted", "deferred", "delivered"], TypesOf("defer"));
        Assert.Equal(["accepted", "delivered"], TypesOf("success"));
        var bounced = events.Select(e => e.Body.GetProperty("data")).Single(d => d.GetProperty("type").GetString() == "bounced");
        Assert.Equal("invalid_recipient", bounced.GetProperty("bounceCategory").GetString());
        Assert.True(bounced.GetProperty("permanent").GetBoolean());
        Assert.Equal("5.1.1", bounced.GetProperty("enhancedStatus").GetString());
        var deferred = events.Select(e => e.Body.GetProperty("data")).Single(d => d.GetProperty("type").GetString() == "deferred");
        Assert.False(deferred.GetProperty("permanent").GetBoolean());
        Assert.Equal(JsonValueKind.String, deferred.GetProperty("nextAttempt").ValueKind);

        // The failing endpoint: tried again on its schedule (one more attempt each time, the next one announced)...
        var attemptsAt = $"/v1/tenants/{tenant.TenantId}/webhooks/{failing.Id}/attempts";
        var attempts = await Eventually.GetAsync(async () => (await Relay.ReadAsync(await Relay.Api.GetAsync(attemptsAt), HttpStatusCode.OK)).GetProperty("items"),
            a => a.EnumerateArray().Any(x => x.GetProperty("attempt").GetInt32() >= 3), Wait, "three attempts at the failing endpoint");
        Assert.All(attempts.EnumerateArray(), a => Assert.Equal(500, a.GetProperty("status").GetInt32()));
        Assert.Contains(attempts.EnumerateArray(), a => a.GetProperty("nextAttempt").ValueKind == JsonValueKind.String);

        // ...then, recovered, it gets every event the other endpoint got, with the same ids.
        Receiver.Recover(flaky);
        var ids = events.Select(e => e.Request.Headers["webhook-id"]).ToHashSet();
        await Eventually.TrueAsync(() => Task.FromResult(ids.IsSubsetOf(Receiver.Requests.Where(r => r.Path == flaky && r.Status == 204).Select(r => r.Headers["webhook-id"]))),
            Wait, "every event at the recovered endpoint");
        // Requests that went through reach the attempt log within a second.
        await Eventually.TrueAsync(async () => ((await Relay.ReadAsync(await Relay.Api.GetAsync(attemptsAt), HttpStatusCode.OK)).GetProperty("items")).EnumerateArray()
            .Any(a => a.GetProperty("status").GetInt32() == 204), Wait, "the delivered requests in the attempts");
    }

    [Fact]
    public async Task Gone_disables_the_endpoint_and_the_tenant_is_told()
    {
        var tenant = await Relay.CreateTenantAsync("Gone");
        var watcher = $"/ok/{Guid.NewGuid():N}";
        var gone = await CreateEndpointAsync(tenant.TenantId, "/gone");
        await CreateEndpointAsync(tenant.TenantId, watcher);
        await Relay.SubmitAsync(tenant, [$"success+{Guid.NewGuid():N}@{Sandbox}"], "Gone");

        var endpoint = await Eventually.GetAsync(async () => await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/webhooks/{gone.Id}"), HttpStatusCode.OK),
            e => !e.GetProperty("enabled").GetBoolean(), Wait, "the endpoint to be disabled");
        Assert.Contains("410", endpoint.GetProperty("disabledReason").GetString());
        var events = await Relay.WaitForTenantEventAsync(tenant.TenantId, "webhook.endpoint_disabled", Wait);
        var disabled = Assert.Single(events.EnumerateArray(), e => e.GetProperty("type").GetString() == "webhook.endpoint_disabled");
        Assert.Equal(gone.Id, disabled.GetProperty("endpointId").GetString());

        // The other endpoint hears of it too, and the gone one is not tried again.
        await Eventually.TrueAsync(() => Task.FromResult(Receiver.Requests.Any(r => r.Path == watcher && Type(r) == "webhook.endpoint_disabled")), Wait, "the disabled event");
        var tries = Receiver.Requests.Count(r => r.Path == "/gone" && r.Headers.GetValueOrDefault("webhook-id") is { } id && id.StartsWith("evt_", StringComparison.Ordinal)
            && Tenant(r) == tenant.TenantId);
        await Relay.SubmitAsync(tenant, [$"success+{Guid.NewGuid():N}@{Sandbox}"], "After");
        await Eventually.TrueAsync(() => Task.FromResult(Receiver.Requests.Count(r => r.Path == watcher && Type(r) == "delivered") >= 2), Wait, "the second delivery at the watcher");
        Assert.Equal(tries, Receiver.Requests.Count(r => r.Path == "/gone" && Tenant(r) == tenant.TenantId));
    }

    [Fact]
    public async Task A_disable_whose_event_could_not_be_recorded_is_told_once_the_event_log_is_back()
    {
        // The endpoint's state is saved as disabled while the tenants' event log cannot be written (its table is
        // gone): the event is kept in that state and recorded once the log is back, with no further change.
        var tenant = await Relay.CreateTenantAsync("Outbox");
        var gone = await CreateEndpointAsync(tenant.TenantId, "/gone");
        var tables = new TableServiceClient(Relay.Settings["Sendarix:Storage:ConnectionString"]);
        var log = $"{Relay.Settings["Sendarix:Storage:Prefix"]}TenantEvents";
        await tables.DeleteTableAsync(log);
        try
        {
            await Relay.SubmitAsync(tenant, [$"success+{Guid.NewGuid():N}@{Sandbox}"], "Outbox");
            await Eventually.GetAsync(async () => await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/webhooks/{gone.Id}"), HttpStatusCode.OK),
                e => !e.GetProperty("enabled").GetBoolean(), Wait, "the endpoint to be disabled");
        }
        finally
        {
            await tables.CreateTableIfNotExistsAsync(log);
        }

        var events = await Relay.WaitForTenantEventAsync(tenant.TenantId, "webhook.endpoint_disabled", Wait);
        var disabled = Assert.Single(events.EnumerateArray(), e => e.GetProperty("type").GetString() == "webhook.endpoint_disabled");
        Assert.Equal(gone.Id, disabled.GetProperty("endpointId").GetString());
    }

    [Fact]
    public async Task A_hanging_endpoint_does_not_delay_another_endpoints_deliveries()
    {
        var tenant = await Relay.CreateTenantAsync("Hang");
        var path = $"/ok/{Guid.NewGuid():N}";
        await CreateEndpointAsync(tenant.TenantId, "/hang");
        await CreateEndpointAsync(tenant.TenantId, path);
        var started = DateTimeOffset.UtcNow;
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add(await Relay.SubmitAsync(tenant, [$"success+{Guid.NewGuid():N}@{Sandbox}"], $"Hang {i}"));
        }

        // Twenty events, each its own request, at the healthy endpoint, while the hanging one holds its requests open
        // for the whole 30 s time-out.
        await Eventually.TrueAsync(() => Task.FromResult(Receiver.Requests.Count(r => r.Path == path) >= 20), TimeSpan.FromSeconds(25), "twenty events at the healthy endpoint");
        Assert.True(DateTimeOffset.UtcNow - started < HooksRelay.HangTimeout, "the healthy endpoint waited for the hanging one");
        Assert.Contains(Receiver.Requests, r => r.Path == "/hang" && Tenant(r) == tenant.TenantId);
    }

    [Fact]
    public async Task A_test_event_and_a_replay_arrive_with_their_ids()
    {
        var tenant = await Relay.CreateTenantAsync("Replay");
        var path = $"/ok/{Guid.NewGuid():N}";
        var endpoint = await CreateEndpointAsync(tenant.TenantId, path);
        var at = $"/v1/tenants/{tenant.TenantId}/webhooks/{endpoint.Id}";

        var test = await Relay.ReadAsync(await Relay.Api.PostAsync($"{at}/test", null), HttpStatusCode.Accepted);
        var testId = test.GetProperty("eventId").GetString();
        await Eventually.TrueAsync(() => Task.FromResult(Receiver.Requests.Any(r => r.Path == path && r.Headers["webhook-id"] == testId && Type(r) == "webhook.test")), Wait, "the test event");

        var id = await Relay.SubmitAsync(tenant, [$"success+{Guid.NewGuid():N}@{Sandbox}"], "Replay");
        await Eventually.TrueAsync(() => Task.FromResult(Receiver.Requests.Count(r => r.Path == path && Type(r) is "accepted" or "delivered") >= 2), Wait, "the message's events");
        var first = Receiver.Requests.Where(r => r.Path == path && Type(r) is "accepted" or "delivered").Select(r => r.Headers["webhook-id"]).ToHashSet();

        var replay = await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"{at}/replay", new { messageId = id }), HttpStatusCode.Accepted);
        Assert.Equal(2, replay.GetProperty("events").GetInt32());
        await Eventually.TrueAsync(() => Task.FromResult(Receiver.Requests.Count(r => r.Path == path && Type(r) is "accepted" or "delivered") >= 4), Wait, "the replayed events");
        Assert.All(Receiver.Requests.Where(r => r.Path == path && Type(r) is "accepted" or "delivered"), r => Assert.Contains(r.Headers["webhook-id"], first));

        // A time range replays the same events (and the test event is no stored event, so it is not among them).
        var range = await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"{at}/replay",
            new { from = DateTimeOffset.UtcNow.AddMinutes(-5), to = DateTimeOffset.UtcNow.AddMinutes(1) }), HttpStatusCode.Accepted);
        Assert.Equal(2, range.GetProperty("events").GetInt32());
        var attempts = await Eventually.GetAsync(async () => (await Relay.ReadAsync(await Relay.Api.GetAsync($"{at}/attempts"), HttpStatusCode.OK)).GetProperty("items"),
            a => a.EnumerateArray().Where(x => x.GetProperty("replay").GetBoolean()).Sum(x => x.GetProperty("eventIds").GetArrayLength()) >= 4, Wait,
            "both replays' events in the attempts");
        Assert.All(attempts.EnumerateArray(), a => Assert.Equal(204, a.GetProperty("status").GetInt32()));

        await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"{at}/replay", new { messageId = id, from = DateTimeOffset.UtcNow }), HttpStatusCode.BadRequest);
        await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"{at}/replay", new { from = DateTimeOffset.UtcNow, to = DateTimeOffset.UtcNow.AddDays(-1) }), HttpStatusCode.BadRequest);
        await Relay.ReadAsync(await Relay.Api.PostAsync($"/v1/tenants/{tenant.TenantId}/webhooks/we_nothing/test", null), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_sub_tenant_s_events_reach_the_tenant_s_endpoint_naming_the_sub_tenant()
    {
        var tenant = await Relay.CreateTenantAsync("Platform hooks");
        await Relay.ReadAsync(await Relay.Api.PatchAsJsonAsync($"/v1/tenants/{tenant.TenantId}", new { implicitSubtenants = true }), HttpStatusCode.OK);
        var path = $"/ok/{Guid.NewGuid():N}";
        await CreateEndpointAsync(tenant.TenantId, path);

        // One customer named by the header, another by the login's subaddress (Python's smtplib).
        var byHeader = $"success+{Guid.NewGuid():N}@{Sandbox}";
        var bySubaddress = $"success+{Guid.NewGuid():N}@{Sandbox}";
        await Eventually.TrueAsync(async () => (await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", tenant, tenant.Sender, [byHeader],
            [.. "X-Sendarix-Subtenant: customer-7\r\n"u8.ToArray(), .. Infrastructure.Mail.Sample(tenant.Sender, byHeader, "hooks")])).Code == 250, Wait, "the header's sub-tenant accepted");
        var customer9 = tenant with { Username = tenant.Username + "+customer-9" };
        Assert.Equal(250, (await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", customer9, tenant.Sender, [bySubaddress],
            Infrastructure.Mail.Sample(tenant.Sender, bySubaddress, "hooks"))).Code);

        var received = await Eventually.GetAsync(() => Task.FromResult(Receiver.Requests.Where(r => r.Path == path && Type(r) == "delivered").ToList()),
            r => r.Count >= 2, Wait, "both deliveries at the endpoint");
        var data = received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("data")).ToList();
        Assert.Equal("customer-7", Assert.Single(data, d => d.GetProperty("recipient").GetString() == byHeader).GetProperty("subtenant").GetString());
        Assert.Equal("customer-9", Assert.Single(data, d => d.GetProperty("recipient").GetString() == bySubaddress).GetProperty("subtenant").GetString());
    }

    static string? Type(ReceivedWebhook r) => JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString();

    static string? Tenant(ReceivedWebhook r) => JsonDocument.Parse(r.Body).RootElement.GetProperty("data").GetProperty("tenantId").GetString();

    async Task<(string Id, string Secret)> CreateEndpointAsync(string tenantId, string path)
    {
        var created = await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"/v1/tenants/{tenantId}/webhooks", new { url = $"https://{HooksRelay.Host}:{Receiver.Port}{path}" }),
            HttpStatusCode.Created);
        return (created.GetProperty("id").GetString()!, created.GetProperty("secret").GetString()!);
    }

    /// <summary>
    /// A relay with the mailbox simulator, quick retries of mail and of webhooks, loopback endpoints allowed, the test
    /// CA trusted, and a receiver at hooks.relay.test (127.0.0.1 in the relay's DNS).
    /// </summary>
    public sealed class HooksRelay : IAsyncLifetime
    {
        public const string Host = "hooks.relay.test";
        public static readonly TimeSpan HangTimeout = TimeSpan.FromSeconds(30);
        readonly Dnsmasq _dns = new();

        internal Relay Relay { get; private set; } = null!;

        internal WebhookReceiver Receiver { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Receiver = await WebhookReceiver.StartAsync(Host);
            await _dns.StartAsync([$"--host-record={Host},127.0.0.1"]);
            var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
            settings["Sendarix:Retry:FirstRetry"] = "00:00:01";
            settings["Sendarix:Retry:MaxRetry"] = "00:00:02";
            settings["Sendarix:Retry:ReminderPeriod"] = "00:00:01";
            settings["Sendarix:Webhooks:AllowPrivateAddresses"] = "true";
            settings["Sendarix:Webhooks:TrustedCaFile"] = TestCa.PemPath;
            settings["Sendarix:Webhooks:Timeout"] = HangTimeout.ToString();
            settings["Sendarix:Webhooks:RetryDelays:0"] = "00:00:01";
            settings["Sendarix:Webhooks:RetryDelays:1"] = "00:00:01";
            settings["Sendarix:Webhooks:RetryDelays:2"] = "00:00:02";
            settings["Sendarix:Webhooks:RetryDelays:3"] = "00:00:02";
            settings["Sendarix:Webhooks:RetryDelays:4"] = "00:00:02";
            settings["Sendarix:Webhooks:EndpointCacheDuration"] = "00:00:00";
            Relay = await Relay.StartAsync(settings, _dns);
        }

        public async Task DisposeAsync()
        {
            await Relay.DisposeAsync();
            await Receiver.DisposeAsync();
            _dns.Dispose();
        }
    }
}
