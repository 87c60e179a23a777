using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// A tenant's API key opens that tenant's resources and nothing else: another tenant's messages, suppressions, domains
/// and credentials look exactly like things that do not exist, and the operator's calls are refused.
/// </summary>
[Collection(RelayCollection.Name)]
public sealed class TenantIsolationTests(RelayFixture fixture)
{
    Relay Relay => fixture.Relay;

    [Fact]
    public async Task A_tenant_api_key_sees_only_its_own_tenant()
    {
        var a = await Relay.CreateTenantAsync();
        var b = await Relay.CreateTenantAsync();
        var toA = $"a-{Guid.NewGuid():N}@sink.test";
        var toB = $"b-{Guid.NewGuid():N}@sink.test";
        var messageA = await Relay.SubmitAsync(a, [toA], "A");
        var messageB = await Relay.SubmitAsync(b, [toB], "B");
        await Relay.Api.PostAsJsonAsync($"/v1/tenants/{b.TenantId}/suppressions", new { address = "secret-of-b@sink.test" });

        var issued = await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"/v1/tenants/{a.TenantId}/api-keys", new { label = "ci" }), HttpStatusCode.Created);
        var key = issued.GetProperty("key").GetString()!;
        Assert.StartsWith("sxk_", key);
        using var api = new HttpClient { BaseAddress = Relay.Api.BaseAddress };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        // Its own tenant: readable and manageable.
        await Relay.ReadAsync(await api.GetAsync($"/v1/tenants/{a.TenantId}"), HttpStatusCode.OK);
        await Relay.ReadAsync(await api.GetAsync($"/v1/messages/{messageA}"), HttpStatusCode.OK);
        await Relay.ReadAsync(await api.GetAsync($"/v1/tenants/{a.TenantId}/messages"), HttpStatusCode.OK);
        await Relay.ReadAsync(await api.GetAsync($"/v1/tenants/{a.TenantId}/domains/{a.Domain}"), HttpStatusCode.OK);
        await Relay.ReadAsync(await api.PostAsJsonAsync($"/v1/tenants/{a.TenantId}/suppressions", new { address = "mine@sink.test" }), HttpStatusCode.Created);

        // The other tenant: as if nothing were there.
        foreach (var path in new[]
                 {
                     $"/v1/tenants/{b.TenantId}", $"/v1/messages/{messageB}", $"/v1/tenants/{b.TenantId}/messages",
                     $"/v1/tenants/{b.TenantId}/messages/{messageB}", $"/v1/tenants/{a.TenantId}/messages/{messageB}",
                     $"/v1/tenants/{b.TenantId}/suppressions", $"/v1/tenants/{b.TenantId}/suppressions/export",
                     $"/v1/tenants/{b.TenantId}/domains", $"/v1/tenants/{b.TenantId}/domains/{b.Domain}",
                     $"/v1/tenants/{b.TenantId}/credentials", $"/v1/tenants/{b.TenantId}/events",
                 })
        {
            var response = await api.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)response.StatusCode}");
            Assert.DoesNotContain("secret-of-b", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsJsonAsync($"/v1/tenants/{b.TenantId}/credentials", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.DeleteAsync($"/v1/tenants/{b.TenantId}/suppressions/secret-of-b@sink.test")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await api.PostAsJsonAsync($"/v1/tenants/{a.TenantId}/domains", new { domain = b.Domain })).StatusCode);

        // The operator's calls: refused.
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/v1/tenants")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.PatchAsJsonAsync($"/v1/tenants/{a.TenantId}", new { allowUnverifiedSenders = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.PutAsJsonAsync($"/v1/tenants/{a.TenantId}/limits", new { messagesPerMinute = 1_000_000 })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.PostAsJsonAsync($"/v1/tenants/{a.TenantId}/api-keys", new { })).StatusCode);

        // An API key is not an SMTP password.
        var (username, secret) = (key[4..key.IndexOf('_', 4)], key[(key.IndexOf('_', 4) + 1)..]);
        using (var smtp = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true })
        {
            await smtp.ConnectAsync("127.0.0.1", Relay.StartTlsPort, SecureSocketOptions.StartTls);
            var refused = await Assert.ThrowsAsync<AuthenticationException>(() => smtp.AuthenticateAsync(username, secret));
            Assert.Contains("5.7.8", refused.Message);
        }

        // Nor is an SMTP password an API key, and a revoked key stops working.
        using var smtpAsKey = new HttpClient { BaseAddress = Relay.Api.BaseAddress };
        smtpAsKey.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", $"sxk_{a.Username}_{a.Secret}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await smtpAsKey.GetAsync($"/v1/tenants/{a.TenantId}")).StatusCode);
        var keyId = issued.GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NoContent, (await Relay.Api.DeleteAsync($"/v1/tenants/{a.TenantId}/api-keys/{keyId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync($"/v1/tenants/{a.TenantId}")).StatusCode);
    }
}
