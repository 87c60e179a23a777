using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
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

    Relay(WebApplication app, Dictionary<string, string?> settings, HttpClient api)
    {
        _app = app;
        Settings = settings;
        Api = api;
    }

    public IReadOnlyDictionary<string, string?> Settings { get; }

    /// <summary>The management API, with the operator key already set.</summary>
    public HttpClient Api { get; }

    public int StartTlsPort => int.Parse(Settings["Sendarix:Smtp:StartTlsPort"]!);

    public int ImplicitTlsPort => int.Parse(Settings["Sendarix:Smtp:ImplicitTlsPort"]!);

    public string OperatorKey => Settings["Sendarix:Api:OperatorApiKey"]!;

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
            ["Sendarix:Smtp:ServerName"] = "relay.test",
            ["Sendarix:Smtp:DevelopmentCertificatePath"] = Path.Combine(dataDir, "cert.pfx"),
            ["Sendarix:Smtp:CredentialCacheDuration"] = "00:00:01",
            // Every test client connects from 127.0.0.1; only the throttling tests want a low limit.
            ["Sendarix:Smtp:AuthFailureLimit"] = "1000",
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
        };
    }

    public static async Task<Relay> StartAsync(Dictionary<string, string?> settings)
    {
        var app = SendarixHost.Build([], settings);
        await app.StartAsync();
        if (app.Services.GetService<SmtpFrontEnd>() is { } frontEnd)
        {
            await frontEnd.Listening.WaitAsync(TimeSpan.FromSeconds(60));
        }

        var api = new HttpClient { BaseAddress = new Uri(settings["Sendarix:Api:Url"]!) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings["Sendarix:Api:OperatorApiKey"]);
        return new Relay(app, settings, api);
    }

    /// <summary>A new tenant with one credential, made through the API as an operator would.</summary>
    public Task<TenantCredential> CreateTenantAsync(string name = "Test tenant") => CreateTenantAsync(Api, name);

    /// <summary>
    /// A new tenant with one credential, through the management API behind <paramref name="api"/> (which carries the
    /// operator key); also for relays that run in another process.
    /// </summary>
    public static async Task<TenantCredential> CreateTenantAsync(HttpClient api, string name)
    {
        var tenant = await ReadAsync(await api.PostAsJsonAsync("/v1/tenants", new { name }), HttpStatusCode.Created);
        var tenantId = tenant.GetProperty("id").GetString()!;
        var credential = await ReadAsync(await api.PostAsJsonAsync($"/v1/tenants/{tenantId}/credentials", new { label = "test" }), HttpStatusCode.Created);
        return new TenantCredential(tenantId, credential.GetProperty("id").GetString()!, credential.GetProperty("username").GetString()!, credential.GetProperty("secret").GetString()!);
    }

    public async Task<JsonElement> GetMessageAsync(string messageId) =>
        await ReadAsync(await Api.GetAsync($"/v1/messages/{messageId}"), HttpStatusCode.OK);

    /// <summary>Waits until every recipient of the message has one of the given statuses; returns the message.</summary>
    public Task<JsonElement> WaitForStatusAsync(string messageId, TimeSpan timeout, params string[] statuses) =>
        Eventually.GetAsync(() => GetMessageAsync(messageId),
            m => m.GetProperty("recipients").EnumerateArray().All(r => statuses.Contains(r.GetProperty("status").GetString())),
            timeout, $"message {messageId} to reach {string.Join("/", statuses)}");

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await _app.StopAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await _app.DisposeAsync();
    }
}

internal sealed record TenantCredential(string TenantId, string CredentialId, string Username, string Secret);
