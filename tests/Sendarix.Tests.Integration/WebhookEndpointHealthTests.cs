using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Sendarix.Tests.Integration.Infrastructure;
using StandardWebhooks;

namespace Sendarix.Tests.Integration;

/// <summary>
/// An endpoint that fails every attempt for DisableAfter (two seconds here, five days by default) is disabled and
/// the tenant's other endpoints hear of it; a batching endpoint gets its events as signed JSON arrays.
/// </summary>
public sealed class WebhookEndpointHealthTests : IAsyncLifetime
{
    const string Host = "hooks.health.test";
    const string Sandbox = "simulator.invalid";
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);
    readonly Dnsmasq _dns = new();
    WebhookReceiver _receiver = null!;
    Relay _relay = null!;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync(Host);
        await _dns.StartAsync([$"--host-record={Host},127.0.0.1"]);
        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Sendarix:Webhooks:AllowPrivateAddresses"] = "true";
        settings["Sendarix:Webhooks:TrustedCaFile"] = TestCa.PemPath;
        settings["Sendarix:Webhooks:DisableAfter"] = "00:00:02";
        settings["Sendarix:Webhooks:EndpointCacheDuration"] = "00:00:00";
        for (var i = 0; i < 20; i++)
        {
            settings[$"Sendarix:Webhooks:RetryDelays:{i}"] = "00:00:01";
        }

        _relay = await Relay.StartAsync(settings, _dns);
    }

    public async Task DisposeAsync()
    {
        await _relay.DisposeAsync();
        await _receiver.DisposeAsync();
        _dns.Dispose();
    }

    [Fact]
    public async Task An_endpoint_failing_for_longer_than_disable_after_is_disabled_and_the_tenant_is_told()
    {
        var tenant = await _relay.CreateTenantAsync("Failing");
        var failing = $"/failing/{Guid.NewGuid():N}";
        var watcher = $"/ok/{Guid.NewGuid():N}";
        _receiver.Fail(failing);
        var endpoint = await CreateAsync(tenant.TenantId, failing, batch: false);
        await CreateAsync(tenant.TenantId, watcher, batch: false);
        await _relay.SubmitAsync(tenant, [$"success+{Guid.NewGuid():N}@{Sandbox}"], "Failing");

        var disabled = await Eventually.GetAsync(async () => await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/webhooks/{endpoint.Id}"), HttpStatusCode.OK),
            e => !e.GetProperty("enabled").GetBoolean(), Wait, "the failing endpoint to be disabled");
        Assert.Contains("failed since", disabled.GetProperty("disabledReason").GetString());

        // Not before its failures have lasted DisableAfter: the first and the last attempt are two seconds apart or more.
        var tries = _receiver.Requests.Where(r => r.Path == failing).Select(r => r.At).ToList();
        Assert.True(disabled.GetProperty("disabledAt").GetDateTimeOffset() - tries.Min() >= TimeSpan.FromSeconds(2), $"disabled after {tries.Count} tries");
        await Eventually.TrueAsync(() => Task.FromResult(_receiver.Requests.Any(r => r.Path == watcher
            && JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString() == "webhook.endpoint_disabled")), Wait, "the tenant's other endpoint to hear of it");
    }

    [Fact]
    public async Task A_batching_endpoint_gets_signed_arrays_of_events()
    {
        var tenant = await _relay.CreateTenantAsync("Batches");
        var path = $"/ok/{Guid.NewGuid():N}";
        var endpoint = await CreateAsync(tenant.TenantId, path, batch: true);
        var recipients = Enumerable.Range(0, 5).Select(_ => $"success+{Guid.NewGuid():N}@{Sandbox}").ToArray();
        await _relay.SubmitAsync(tenant, recipients, "Batches");

        var requests = await Eventually.GetAsync(() => Task.FromResult(_receiver.Requests.Where(r => r.Path == path).ToList()),
            r => r.Sum(x => JsonDocument.Parse(x.Body).RootElement.GetArrayLength()) >= 10, Wait, "ten events in batches");
        var verifier = new StandardWebhook(endpoint.Secret);
        foreach (var request in requests)
        {
            verifier.Verify(System.Text.Encoding.UTF8.GetString(request.Body), new HeaderDictionary(request.Headers.ToDictionary(h => h.Key, h => new StringValues(h.Value))));
            Assert.StartsWith("evb_", request.Headers["webhook-id"]);
            var events = JsonDocument.Parse(request.Body).RootElement.EnumerateArray().ToList();
            Assert.InRange(events.Count, 1, 100);
            Assert.All(events, e => Assert.Equal(e.GetProperty("type").GetString(), e.GetProperty("data").GetProperty("type").GetString()));
        }

        var types = requests.SelectMany(r => JsonDocument.Parse(r.Body).RootElement.EnumerateArray()).Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal(5, types.Count(t => t == "accepted"));
        Assert.Equal(5, types.Count(t => t == "delivered"));

        // Fewer requests than events: that is what batching is for.
        Assert.True(requests.Count < 10, $"{requests.Count} requests for 10 events");
    }

    async Task<(string Id, string Secret)> CreateAsync(string tenantId, string path, bool batch)
    {
        var created = await Relay.ReadAsync(await _relay.Api.PostAsJsonAsync($"/v1/tenants/{tenantId}/webhooks", new { url = $"https://{Host}:{_receiver.Port}{path}", batch }),
            HttpStatusCode.Created);
        return (created.GetProperty("id").GetString()!, created.GetProperty("secret").GetString()!);
    }
}
