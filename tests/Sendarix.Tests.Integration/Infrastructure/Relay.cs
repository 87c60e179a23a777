using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sendarix.Host;
using Sendarix.Reception;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>
/// A relay running in the test process: silo, SMTP front-end and API, on Azurite, with retry times short enough
/// for tests. Each relay has its own storage prefix, cluster and ports, so relays never see each other's data.
/// </summary>
internal sealed class Relay : IAsyncDisposable
{
    readonly WebApplication _app;
    Task? _stopped;
    readonly bool _ownsDns;

    Relay(WebApplication app, Dictionary<string, string?> settings, HttpClient api, Dnsmasq dns, bool ownsDns)
    {
        _app = app;
        Settings = settings;
        Api = api;
        Dns = dns;
        _ownsDns = ownsDns;
    }

    /// <summary>The relay's DNS server, where tenants' sender domains publish their records.</summary>
    public Dnsmasq Dns { get; }

    public IReadOnlyDictionary<string, string?> Settings { get; }

    /// <summary>The management API, with the operator key already set.</summary>
    public HttpClient Api { get; }

    public int StartTlsPort => int.Parse(Settings["Sendarix:Smtp:StartTlsPort"]!);

    public int ImplicitTlsPort => int.Parse(Settings["Sendarix:Smtp:ImplicitTlsPort"]!);

    /// <summary>The port that takes feedback-loop reports for <see cref="FeedbackAddress"/>, without AUTH.</summary>
    public int FeedbackPort => int.Parse(Settings["Sendarix:Smtp:FeedbackPort"]!);

    /// <summary>The sandbox's 421 listener, where the relay's settings open one.</summary>
    public int SandboxPort => int.Parse(Settings["Sendarix:Smtp:SandboxPort"]!);

    public const string FeedbackAddress = "fbl@feedback.relay.test";

    public string OperatorKey => Settings["Sendarix:Api:OperatorApiKey"]!;

    /// <summary>The relay's grains, for what only the relay itself calls (such as the webhook dispatcher's calls).</summary>
    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    public IServiceProvider Services => _app.Services;

    /// <summary>Settings for a relay on <paramref name="storage"/>; tests add routes and limits on top.</summary>
    public static Dictionary<string, string?> DefaultSettings(string storageConnectionString)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var dataDir = Path.Combine(Path.GetTempPath(), "sendarix-tests", $"relay-{id}");
        return new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Sendarix:Storage:ConnectionString"] = storageConnectionString,
            ["Sendarix:Storage:Prefix"] = $"t{id}",
            ["Sendarix:Cluster:ClusterId"] = $"test-{id}",
            ["Sendarix:Cluster:ServiceId"] = $"test-{id}",
            ["Sendarix:Cluster:SiloPort"] = Ports.Free().ToString(),
            ["Sendarix:Cluster:GatewayPort"] = Ports.Free().ToString(),
            ["Sendarix:Cluster:MinimumReminderPeriod"] = "00:00:01",
            ["Sendarix:Smtp:StartTlsPort"] = Ports.Free().ToString(),
            ["Sendarix:Smtp:ImplicitTlsPort"] = Ports.Free().ToString(),
            ["Sendarix:Smtp:FeedbackPort"] = Ports.Free().ToString(),
            ["Sendarix:Smtp:FeedbackAddresses:0"] = FeedbackAddress,
            ["Sendarix:Smtp:ServerName"] = "relay.test",
            ["Sendarix:Smtp:DevelopmentCertificatePath"] = Path.Combine(dataDir, "cert.pfx"),
            ["Sendarix:Smtp:CredentialCacheDuration"] = "00:00:01",
            // A test that leaves a transaction open must not hold its teardown for the default drain.
            ["Sendarix:Smtp:DrainTimeout"] = "00:00:10",
            // Every test client connects from 127.0.0.1; only the throttling tests want a low limit.
            ["Sendarix:Smtp:AuthFailureLimit"] = "1000",
            ["Sendarix:Smtp:SandboxReplyDelay"] = "00:00:03",
            ["Sendarix:Api:Url"] = $"http://127.0.0.1:{Ports.Free()}",
            ["Sendarix:Api:OperatorApiKey"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            ["Sendarix:Domains:KeyEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Sendarix:Retry:FirstRetry"] = "00:00:01",
            ["Sendarix:Retry:MaxRetry"] = "00:00:02",
            ["Sendarix:Retry:ReminderPeriod"] = "00:00:01",
            ["Sendarix:Delivery:HeloName"] = "relay.test",
            ["Sendarix:Delivery:MaxPollInterval"] = "00:00:00.200",
            ["Sendarix:Delivery:ConnectTimeout"] = "00:00:02",
            ["Sendarix:Delivery:CommandTimeout"] = "00:00:03",
            ["Sendarix:Shaping:DestinationBackoff"] = "00:00:01",
            ["Sendarix:Delivery:TrustedCaFile"] = TestCa.PemPath,
            ["Sendarix:Webhooks:TrustedCaFile"] = TestCa.PemPath,
            ["Sendarix:Stats:FlushInterval"] = "00:00:00.500",
        };
    }

    /// <summary>
    /// Starts a relay on its own DNS server, or on <paramref name="dns"/> when the test brings one with records of its
    /// own; <paramref name="logs"/> also receives every line the relay logs (at the levels its settings enable).
    /// </summary>
    public static async Task<Relay> StartAsync(Dictionary<string, string?> settings, Dnsmasq? dns = null, LogCapture? logs = null)
    {
        var ownsDns = dns is null;
        if (dns is null)
        {
            dns = new Dnsmasq();
            await dns.StartAsync([]);
        }

        settings["Sendarix:Dns:Servers:0"] = dns.Server;
        var app = SendarixHost.Build([], settings);
        if (logs is not null)
        {
            app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        }

        await app.StartAsync();
        if (app.Services.GetService<SmtpFrontEnd>() is { } frontEnd)
        {
            await frontEnd.Listening.WaitAsync(TimeSpan.FromSeconds(60));
        }

        var api = new HttpClient { BaseAddress = new Uri(settings["Sendarix:Api:Url"]!) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings["Sendarix:Api:OperatorApiKey"]);
        return new Relay(app, settings, api, dns, ownsDns);
    }

    /// <summary>A new tenant with one credential and a verified sender domain, made through the API as an operator would.</summary>
    public Task<TenantCredential> CreateTenantAsync(string name = "Test tenant") => CreateTenantAsync(Api, Dns, name);

    /// <summary>
    /// A new tenant with one credential and a verified sender domain ("{tenantId}.example", its DKIM record published
    /// on <paramref name="dns"/>), through the management API behind <paramref name="api"/> (which carries the
    /// operator key); also for relays that run in another process.
    /// </summary>
    public static async Task<TenantCredential> CreateTenantAsync(HttpClient api, Dnsmasq dns, string name)
    {
        var tenant = await ReadAsync(await api.PostAsJsonAsync("/v1/tenants", new { name }), HttpStatusCode.Created);
        var tenantId = tenant.GetProperty("id").GetString()!;
        var credential = await ReadAsync(await api.PostAsJsonAsync($"/v1/tenants/{tenantId}/credentials", new { label = "test" }), HttpStatusCode.Created);
        var domain = $"{tenantId}.example";
        var added = await ReadAsync(await api.PostAsJsonAsync($"/v1/tenants/{tenantId}/domains", new { domain }), HttpStatusCode.Created);
        var dkim = added.GetProperty("records").EnumerateArray().Single(r => r.GetProperty("kind").GetString() == "dkim");
        await dns.PublishAsync(domain, dkim.GetProperty("name").GetString()!, dkim.GetProperty("value").GetString()!);
        var verified = await ReadAsync(await api.PostAsync($"/v1/tenants/{tenantId}/domains/{domain}/verify", null), HttpStatusCode.OK);
        Assert.Equal("verified", verified.GetProperty("status").GetString());
        return new TenantCredential(tenantId, credential.GetProperty("id").GetString()!, credential.GetProperty("username").GetString()!,
            credential.GetProperty("secret").GetString()!, domain);
    }

    public async Task<JsonElement> GetMessageAsync(string messageId) =>
        await ReadAsync(await Api.GetAsync($"/v1/messages/{messageId}"), HttpStatusCode.OK);

    /// <summary>Submits a sample message with Python's smtplib over STARTTLS as <paramref name="tenant"/>; returns its id once it got 250.</summary>
    public async Task<string> SubmitAsync(TenantCredential tenant, string[] to, string subject)
    {
        var (code, text) = await PythonSmtp.SubmitAsync(StartTlsPort, "starttls", tenant, tenant.Sender, to, Mail.Sample(tenant.Sender, to[0], subject));
        Assert.True(code == 250, $"submission answered {code} {text}");
        return Mail.QueuedId(text);
    }

    /// <summary>
    /// The tenant's events once one of <paramref name="type"/> is among them: a tenant event follows the state it
    /// reports (an endpoint disabled, a tenant paused), so a reader can see the state first.
    /// </summary>
    public Task<JsonElement> WaitForTenantEventAsync(string tenantId, string type, TimeSpan timeout) =>
        Eventually.GetAsync(async () => (await ReadAsync(await Api.GetAsync($"/v1/tenants/{tenantId}/events"), HttpStatusCode.OK)).GetProperty("items"),
            items => items.EnumerateArray().Any(e => e.GetProperty("type").GetString() == type), timeout, $"a {type} event");

    /// <summary>Waits until every recipient of the message has one of the given statuses; returns the message.</summary>
    public Task<JsonElement> WaitForStatusAsync(string messageId, TimeSpan timeout, params string[] statuses) =>
        Eventually.GetAsync(() => GetMessageAsync(messageId),
            m => m.GetProperty("recipients").EnumerateArray().All(r => statuses.Contains(r.GetProperty("status").GetString())),
            timeout, $"message {messageId} to reach {string.Join("/", statuses)}");

    /// <summary>
    /// A search's first page, once it holds <paramref name="count"/> messages: a message is searchable once delivery
    /// has recorded its first round, a moment after its 250.
    /// </summary>
    public Task<JsonElement> SearchAsync(string tenantId, string query, int count) =>
        Eventually.GetAsync(async () => await ReadAsync(await Api.GetAsync($"/v1/tenants/{tenantId}/messages?{query}"), HttpStatusCode.OK),
            page => page.GetProperty("items").GetArrayLength() == count, TimeSpan.FromSeconds(30), $"{count} message(s) found by '{query}'");

    /// <summary>The ids of every message a search finds, following its pages to the end.</summary>
    public async Task<IReadOnlyList<string>> SearchIdsAsync(string tenantId, string query = "")
    {
        var ids = new List<string>();
        string? next = null;
        do
        {
            var page = await ReadAsync(await Api.GetAsync($"/v1/tenants/{tenantId}/messages?limit=100&{query}{(next is null ? "" : $"&next={next}")}"), HttpStatusCode.OK);
            ids.AddRange(page.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("id").GetString()!));
            next = page.TryGetProperty("next", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
        }
        while (next is not null);

        return ids;
    }

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Stops the relay as SIGTERM does: the host's graceful shutdown, SMTP drain included.</summary>
    public Task StopAsync() => _stopped ??= StopOnceAsync();

    async Task StopOnceAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await _app.StopAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await StopAsync();

        await _app.DisposeAsync();
        if (_ownsDns)
        {
            Dns.Dispose();
        }
    }
}

/// <summary>A tenant as a test uses it: its credential and its verified sender domain.</summary>
internal sealed record TenantCredential(string TenantId, string CredentialId, string Username, string Secret, string Domain)
{
    /// <summary>An address of the tenant's verified domain, for envelope and header senders.</summary>
    public string Sender => $"app@{Domain}";
}
