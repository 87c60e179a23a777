using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Sendarix.Contracts.Webhooks;
using Sendarix.Core.Webhooks;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// Webhook endpoints through the management API of a real relay, with the default safety rules (https only, public
/// addresses only) and a DNS server whose names point at public, private and loopback addresses: endpoints are
/// created, listed, changed and deleted; secrets are shown once, rotate with an overlap and never reach the log; a
/// tenant's key reaches only its own endpoints; refused URLs leave nothing behind.
/// </summary>
public sealed class WebhookEndpointsApiTests(WebhookEndpointsApiTests.WebhooksRelay fixture) : IClassFixture<WebhookEndpointsApiTests.WebhooksRelay>
{
    const int EndpointLimit = 5;

    Relay Relay => fixture.Relay;

    [Fact]
    public async Task An_endpoint_is_created_listed_found_changed_and_deleted()
    {
        var tenant = await Relay.CreateTenantAsync("Hooks");
        var at = $"/v1/tenants/{tenant.TenantId}/webhooks";

        var response = await Relay.Api.PostAsJsonAsync(at, new { url = "https://Hooks.Example/sendarix?source=relay", eventTypes = new[] { "bounced", "delivered", "bounced" }, description = "Production" });
        var created = await Relay.ReadAsync(response, HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString()!;
        Assert.Matches("^we_[0-9a-z]{16}$", id);
        Assert.Equal($"{at}/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("https://hooks.example/sendarix?source=relay", created.GetProperty("url").GetString());
        Assert.Equal(["delivered", "bounced"], Strings(created.GetProperty("eventTypes")));
        Assert.True(created.GetProperty("enabled").GetBoolean());
        Assert.False(created.GetProperty("firstDeferralOnly").GetBoolean());
        Assert.False(created.GetProperty("batch").GetBoolean());
        Assert.Equal("Production", created.GetProperty("description").GetString());
        Assert.StartsWith("whsec_", created.GetProperty("secret").GetString());

        var listed = Assert.Single((await Relay.ReadAsync(await Relay.Api.GetAsync(at), HttpStatusCode.OK)).EnumerateArray());
        Assert.Equal(id, listed.GetProperty("id").GetString());
        Assert.False(listed.TryGetProperty("secret", out _));

        var patched = await PatchAsync($"{at}/{id}", new { url = "https://hooks6.example/v2", eventTypes = Array.Empty<string>(), batch = true, firstDeferralOnly = true, enabled = false, description = "" });
        Assert.Equal("https://hooks6.example/v2", patched.GetProperty("url").GetString());
        Assert.Empty(patched.GetProperty("eventTypes").EnumerateArray());
        Assert.True(patched.GetProperty("batch").GetBoolean());
        Assert.True(patched.GetProperty("firstDeferralOnly").GetBoolean());
        Assert.False(patched.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, patched.GetProperty("description").ValueKind);
        Assert.Equal(JsonValueKind.Null, patched.GetProperty("disabledAt").ValueKind);
        Assert.True(patched.GetProperty("updatedAt").GetDateTimeOffset() >= created.GetProperty("updatedAt").GetDateTimeOffset());

        // What a change leaves out stays as it is.
        var renamed = await PatchAsync($"{at}/{id}", new { description = "Renamed" });
        Assert.Equal("https://hooks6.example/v2", renamed.GetProperty("url").GetString());
        Assert.True(renamed.GetProperty("batch").GetBoolean());
        var found = await Relay.ReadAsync(await Relay.Api.GetAsync($"{at}/{id}"), HttpStatusCode.OK);
        Assert.Equal("Renamed", found.GetProperty("description").GetString());
        Assert.False(found.TryGetProperty("secret", out _));

        Assert.Equal(HttpStatusCode.NoContent, (await Relay.Api.DeleteAsync($"{at}/{id}")).StatusCode);
        await Relay.ReadAsync(await Relay.Api.GetAsync($"{at}/{id}"), HttpStatusCode.NotFound);
        await Relay.ReadAsync(await Relay.Api.DeleteAsync($"{at}/{id}"), HttpStatusCode.NotFound);
        Assert.Null(await Relay.Grains.GetGrain<IWebhookEndpointsGrain>(tenant.TenantId).GetSigningSecretsAsync(id));
        Assert.Empty((await Relay.ReadAsync(await Relay.Api.GetAsync(at), HttpStatusCode.OK)).EnumerateArray());
    }

    [Fact]
    public async Task Unknown_event_types_are_named_in_a_400_and_nothing_is_created()
    {
        var tenant = await Relay.CreateTenantAsync("Types");
        var at = $"/v1/tenants/{tenant.TenantId}/webhooks";

        var refused = await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync(at, new { url = "https://hooks.example/", eventTypes = new[] { "delivered", "Delivered", "opened" } }), HttpStatusCode.BadRequest);
        var problem = refused.GetProperty("errors").GetProperty("eventTypes")[0].GetString()!;
        Assert.Contains("'Delivered'", problem);
        Assert.Contains("'opened'", problem);
        Assert.DoesNotContain("'delivered'", problem);
        Assert.Contains("tenant.paused", problem);
        await Relay.ReadAsync(await Relay.Api.PostAsync(at, JsonContent.Create(new { url = "https://hooks.example/", eventTypes = new string?[] { null } })), HttpStatusCode.BadRequest);
        await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync(at, new { eventTypes = new[] { "delivered" } }), HttpStatusCode.BadRequest);
        await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync(at, new { url = "https://hooks.example/", description = new string('d', 501) }), HttpStatusCode.BadRequest);
        Assert.Empty((await Relay.ReadAsync(await Relay.Api.GetAsync(at), HttpStatusCode.OK)).EnumerateArray());

        var id = (await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync(at, new { url = "https://hooks.example/", eventTypes = EventNames }), HttpStatusCode.Created)).GetProperty("id").GetString();
        var patch = await Relay.Api.PatchAsJsonAsync($"{at}/{id}", new { eventTypes = new[] { "bounce" } });
        Assert.Contains("'bounce'", (await Relay.ReadAsync(patch, HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("eventTypes")[0].GetString());
        var kept = await Relay.ReadAsync(await Relay.Api.GetAsync($"{at}/{id}"), HttpStatusCode.OK);
        Assert.Equal(EventNames, Strings(kept.GetProperty("eventTypes")));
    }

    [Theory]
    [InlineData("https://127.0.0.1/hook", "loopback")]
    [InlineData("https://[::1]/hook", "loopback")]
    [InlineData("https://loopback.example/hook", "resolves to 127.0.0.1, a loopback address")]
    [InlineData("https://169.254.169.254/latest/meta-data/", "link-local")]
    [InlineData("https://metadata.example/", "resolves to 169.254.169.254, a link-local address")]
    [InlineData("https://10.0.0.1/", "private")]
    [InlineData("https://private.example/", "resolves to 10.1.2.3, a private address")]
    [InlineData("https://ula.example/", "resolves to fd00::1, a private address")]
    [InlineData("https://mixed.example/", "resolves to ::1, a loopback address")]
    [InlineData("https://nowhere.example/", "has no address in DNS")]
    [InlineData("https://api.localhost/", "the relay itself")]
    [InlineData("http://hooks.example/", "https://")]
    [InlineData("https://user:secret@hooks.example/", "user name or password")]
    [InlineData("hooks.example/hook", "absolute URL")]
    public async Task A_url_that_is_not_public_https_is_refused_with_the_reason_and_nothing_is_created_or_changed(string url, string reason)
    {
        var tenant = await Relay.CreateTenantAsync("Refused");
        var at = $"/v1/tenants/{tenant.TenantId}/webhooks";

        var response = await Relay.Api.PostAsJsonAsync(at, new { url });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(reason, (await Relay.ReadAsync(response, HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("url")[0].GetString());
        Assert.Empty((await Relay.ReadAsync(await Relay.Api.GetAsync(at), HttpStatusCode.OK)).EnumerateArray());

        var created = await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync(at, new { url = "https://hooks.example/first" }), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString();
        var patch = await Relay.Api.PatchAsJsonAsync($"{at}/{id}", new { url, description = "changed" });
        Assert.Contains(reason, (await Relay.ReadAsync(patch, HttpStatusCode.BadRequest)).GetProperty("errors").GetProperty("url")[0].GetString());
        var kept = await Relay.ReadAsync(await Relay.Api.GetAsync($"{at}/{id}"), HttpStatusCode.OK);
        Assert.Equal(created.GetProperty("url").GetString(), kept.GetProperty("url").GetString());
        Assert.Equal(JsonValueKind.Null, kept.GetProperty("description").ValueKind);
    }

    [Fact]
    public async Task A_tenants_key_reaches_only_its_own_endpoints()
    {
        var a = await Relay.CreateTenantAsync("A");
        var b = await Relay.CreateTenantAsync("B");
        var key = (await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"/v1/tenants/{a.TenantId}/api-keys", new { label = "hooks" }), HttpStatusCode.Created)).GetProperty("key").GetString();
        using var client = new HttpClient { BaseAddress = Relay.Api.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        var own = (await Relay.ReadAsync(await client.PostAsJsonAsync($"/v1/tenants/{a.TenantId}/webhooks", new { url = "https://hooks.example/a" }), HttpStatusCode.Created)).GetProperty("id").GetString();
        var other = (await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"/v1/tenants/{b.TenantId}/webhooks", new { url = "https://hooks.example/b" }), HttpStatusCode.Created)).GetProperty("id").GetString();

        Assert.Equal([own], (await Relay.ReadAsync(await client.GetAsync($"/v1/tenants/{a.TenantId}/webhooks"), HttpStatusCode.OK)).EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        foreach (var request in new Func<Task<HttpResponseMessage>>[]
        {
            () => client.GetAsync($"/v1/tenants/{b.TenantId}/webhooks"),
            () => client.GetAsync($"/v1/tenants/{b.TenantId}/webhooks/{other}"),
            () => client.PostAsJsonAsync($"/v1/tenants/{b.TenantId}/webhooks", new { url = "https://hooks.example/x" }),
            () => client.GetAsync($"/v1/tenants/{a.TenantId}/webhooks/{other}"),
            () => client.PatchAsJsonAsync($"/v1/tenants/{a.TenantId}/webhooks/{other}", new { enabled = false }),
            () => client.PostAsync($"/v1/tenants/{a.TenantId}/webhooks/{other}/rotate-secret", null),
            () => client.DeleteAsync($"/v1/tenants/{a.TenantId}/webhooks/{other}"),
            () => client.DeleteAsync($"/v1/tenants/{b.TenantId}/webhooks/{other}"),
        })
        {
            var response = await request();
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        var untouched = Assert.Single((await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{b.TenantId}/webhooks"), HttpStatusCode.OK)).EnumerateArray());
        Assert.True(untouched.GetProperty("enabled").GetBoolean());
        Assert.Equal(untouched.GetProperty("createdAt").GetDateTimeOffset(), untouched.GetProperty("updatedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_secret_is_shown_once_and_a_rotated_one_is_signed_with_until_its_overlap_ends_and_never_logged()
    {
        var tenant = await Relay.CreateTenantAsync("Secrets");
        var at = $"/v1/tenants/{tenant.TenantId}/webhooks";
        var grain = Relay.Grains.GetGrain<IWebhookEndpointsGrain>(tenant.TenantId);
        var created = await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync(at, new { url = "https://hooks.example/rotate" }), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString()!;
        var first = created.GetProperty("secret").GetString()!;
        Assert.True(WebhookSecret.TryDecode(first, out var key) && key.Length == 32);
        Assert.Equal([first], await grain.GetSigningSecretsAsync(id));

        var shown = new List<string> { first };
        foreach (var path in new[] { at, $"{at}/{id}" })
        {
            Assert.DoesNotContain(first[6..], await (await Relay.Api.GetAsync(path)).Content.ReadAsStringAsync());
        }

        var rotatedAt = DateTimeOffset.UtcNow;
        var rotation = await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"{at}/{id}/rotate-secret", new { overlapSeconds = 3 }), HttpStatusCode.OK);
        var second = rotation.GetProperty("secret").GetString()!;
        shown.Add(second);
        Assert.NotEqual(first, second);
        Assert.InRange(rotation.GetProperty("previousSecretValidUntil").GetDateTimeOffset(), rotatedAt.AddSeconds(2), rotatedAt.AddSeconds(10));
        Assert.Equal([second, first], await grain.GetSigningSecretsAsync(id));
        await Eventually.TrueAsync(async () => (await grain.GetSigningSecretsAsync(id))!.Count == 1, TimeSpan.FromSeconds(15), "the rotated secret's overlap to end");
        Assert.Equal([second], await grain.GetSigningSecretsAsync(id));

        // No body: the configured default (24 hours); zero: the previous secret ends at once.
        var byDefault = await Relay.ReadAsync(await Relay.Api.PostAsync($"{at}/{id}/rotate-secret", null), HttpStatusCode.OK);
        shown.Add(byDefault.GetProperty("secret").GetString()!);
        Assert.InRange(byDefault.GetProperty("previousSecretValidUntil").GetDateTimeOffset(), rotatedAt.AddHours(24), rotatedAt.AddHours(24).AddMinutes(5));
        Assert.Equal([shown[2], second], await grain.GetSigningSecretsAsync(id));
        var immediate = await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"{at}/{id}/rotate-secret", new { overlapSeconds = 0 }), HttpStatusCode.OK);
        shown.Add(immediate.GetProperty("secret").GetString()!);
        Assert.Equal(JsonValueKind.Null, immediate.GetProperty("previousSecretValidUntil").ValueKind);
        Assert.Equal([shown[3], second], await grain.GetSigningSecretsAsync(id));

        await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"{at}/{id}/rotate-secret", new { overlapSeconds = 604_801 }), HttpStatusCode.BadRequest);
        await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"{at}/{id}/rotate-secret", new { overlapSeconds = -1 }), HttpStatusCode.BadRequest);
        await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"{at}/we_0000000000000000/rotate-secret", new { overlapSeconds = 0 }), HttpStatusCode.NotFound);

        var listed = await (await Relay.Api.GetAsync(at)).Content.ReadAsStringAsync();
        Assert.All(shown, s => Assert.DoesNotContain(s[6..], listed));
        var lines = fixture.Logs.Lines;
        Assert.Contains(lines, l => l.EventName == "WebhookSecretRotated");
        var leaks = lines.Where(l => shown.Any(s => l.Text.Contains(s[6..], StringComparison.Ordinal) || l.Text.Contains(s[6..22], StringComparison.Ordinal))).ToList();
        Assert.True(leaks.Count == 0, $"A secret in the log: {string.Join("\n", leaks.Take(3))}");
    }

    [Fact]
    public async Task The_relay_disables_an_endpoint_with_a_reason_and_the_tenant_enables_it_again()
    {
        var tenant = await Relay.CreateTenantAsync("Disabled");
        var at = $"/v1/tenants/{tenant.TenantId}/webhooks";
        var id = (await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync(at, new { url = "https://hooks.example/gone" }), HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var grain = Relay.Grains.GetGrain<IWebhookEndpointsGrain>(tenant.TenantId);

        Assert.True(await grain.DisableAsync(id, "answered 410 Gone"));
        Assert.False(await grain.DisableAsync(id, "again"));
        Assert.False(await grain.DisableAsync("we_0000000000000000", "none"));
        var disabled = await Relay.ReadAsync(await Relay.Api.GetAsync($"{at}/{id}"), HttpStatusCode.OK);
        Assert.False(disabled.GetProperty("enabled").GetBoolean());
        Assert.Equal("answered 410 Gone", disabled.GetProperty("disabledReason").GetString());
        Assert.NotEqual(JsonValueKind.Null, disabled.GetProperty("disabledAt").ValueKind);
        Assert.NotNull(await grain.GetSigningSecretsAsync(id));

        var described = await PatchAsync($"{at}/{id}", new { description = "still off" });
        Assert.Equal("answered 410 Gone", described.GetProperty("disabledReason").GetString());
        var enabled = await PatchAsync($"{at}/{id}", new { enabled = true });
        Assert.True(enabled.GetProperty("enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, enabled.GetProperty("disabledAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, enabled.GetProperty("disabledReason").ValueKind);
        Assert.True((await grain.GetAsync(id))!.Enabled);
    }

    [Fact]
    public async Task Past_the_tenants_limit_an_endpoint_is_refused_with_409()
    {
        var tenant = await Relay.CreateTenantAsync("Limit");
        var at = $"/v1/tenants/{tenant.TenantId}/webhooks";
        for (var i = 0; i < EndpointLimit; i++)
        {
            await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync(at, new { url = $"https://hooks.example/{i}" }), HttpStatusCode.Created);
        }

        var response = await Relay.Api.PostAsJsonAsync(at, new { url = "https://hooks.example/one-too-many" });
        var problem = await Relay.ReadAsync(response, HttpStatusCode.Conflict);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"at most {EndpointLimit}", problem.GetProperty("detail").GetString());
        Assert.Equal(EndpointLimit, (await Relay.ReadAsync(await Relay.Api.GetAsync(at), HttpStatusCode.OK)).GetArrayLength());
        await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync("/v1/tenants/tnosuchtenant1/webhooks", new { url = "https://hooks.example/" }), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_openapi_document_shows_the_calls_and_their_types()
    {
        var document = await Relay.ReadAsync(await Relay.Api.GetAsync("/openapi/v1.json"), HttpStatusCode.OK);
        var paths = document.GetProperty("paths");
        Assert.True(paths.GetProperty("/v1/tenants/{tenantId}/webhooks").TryGetProperty("post", out var create));
        Assert.Equal("Webhooks", create.GetProperty("tags")[0].GetString());
        Assert.True(paths.GetProperty("/v1/tenants/{tenantId}/webhooks/{endpointId}").TryGetProperty("patch", out _));
        Assert.True(paths.GetProperty("/v1/tenants/{tenantId}/webhooks/{endpointId}/rotate-secret").TryGetProperty("post", out _));
        var schemas = document.GetProperty("components").GetProperty("schemas");
        foreach (var schema in new[] { "WebhookEndpointResponse", "CreatedWebhookEndpointResponse", "RotatedWebhookSecretResponse", "CreateWebhookEndpointRequest", "UpdateWebhookEndpointRequest" })
        {
            Assert.True(schemas.TryGetProperty(schema, out _), schema);
        }
    }

    static readonly string[] EventNames = ["delivered", "deferred", "webhook.endpoint_disabled"];

    static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    async Task<JsonElement> PatchAsync(string path, object body) => await Relay.ReadAsync(await Relay.Api.PatchAsJsonAsync(path, body), HttpStatusCode.OK);

    /// <summary>
    /// A relay with the default webhook rules and a small endpoint limit, whose log is kept down to Debug, on a DNS
    /// server with names for every kind of address (192.0.2/24 and 2001:db8::/32 stand in for public ones: no test
    /// ever connects to them).
    /// </summary>
    public sealed class WebhooksRelay : IAsyncLifetime
    {
        readonly Dnsmasq _dns = new();

        internal LogCapture Logs { get; } = new();

        internal Relay Relay { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await _dns.StartAsync(
            [
                "--host-record=hooks.example,192.0.2.10", "--host-record=hooks6.example,2001:db8::10",
                "--host-record=loopback.example,127.0.0.1", "--host-record=private.example,10.1.2.3",
                "--host-record=metadata.example,169.254.169.254", "--host-record=ula.example,fd00::1",
                "--host-record=mixed.example,192.0.2.11,::1",
            ]);
            var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
            settings["Logging:LogLevel:Default"] = "Information";
            settings["Logging:LogLevel:Sendarix"] = "Debug";
            settings["Logging:Console:LogLevel:Default"] = "Warning";
            settings["Sendarix:Webhooks:MaxEndpointsPerTenant"] = EndpointLimit.ToString();
            Relay = await Relay.StartAsync(settings, _dns, Logs);
        }

        public async Task DisposeAsync()
        {
            await Relay.DisposeAsync();
            _dns.Dispose();
        }
    }
}
