using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// Sender domains: the API issues a DKIM key and the records to publish, verification reads them from a real DNS
/// server on loopback, a record removed later is noticed by the periodic re-check, and a domain has one tenant.
/// </summary>
public sealed class SenderDomainTests : IAsyncLifetime
{
    Relay _relay = null!;

    public async Task InitializeAsync()
    {
        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Sendarix:Domains:SpfInclude"] = "_spf.relay.test";
        settings["Sendarix:Domains:RecheckInterval"] = "00:00:02";
        _relay = await Relay.StartAsync(settings);
    }

    public async Task DisposeAsync() => await _relay.DisposeAsync();

    [Fact]
    public async Task A_domain_is_verified_when_its_dkim_record_is_published_and_fails_when_it_is_removed()
    {
        var tenant = await _relay.CreateTenantAsync();
        var domain = $"d{Guid.NewGuid():N}"[..12] + ".example";
        var added = await Relay.ReadAsync(await _relay.Api.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/domains", new { domain }), HttpStatusCode.Created);
        Assert.Equal("pending", added.GetProperty("status").GetString());
        var records = added.GetProperty("records").EnumerateArray().ToDictionary(r => r.GetProperty("kind").GetString()!);
        var dkim = records["dkim"];
        Assert.Equal($"{added.GetProperty("selector").GetString()}._domainkey.{domain}", dkim.GetProperty("name").GetString());
        Assert.StartsWith("v=DKIM1; k=rsa; p=MIIBIjAN", dkim.GetProperty("value").GetString());
        Assert.Equal("v=spf1 include:_spf.relay.test ~all", records["spf"].GetProperty("value").GetString());
        Assert.StartsWith("v=DMARC1; p=none", records["dmarc"].GetProperty("value").GetString());
        Assert.DoesNotContain("PRIVATE", added.GetRawText(), StringComparison.OrdinalIgnoreCase);

        await PublishAsync(domain);
        var before = await VerifyAsync(tenant, domain);
        Assert.Equal("pending", before.GetProperty("status").GetString());
        Assert.All(before.GetProperty("records").EnumerateArray(), r => Assert.Equal("missing", r.GetProperty("status").GetString()));

        // A wrong key at the selector, an SPF record without the relay: both reported as wrong.
        await PublishAsync(domain, (dkim.GetProperty("name").GetString()!, "v=DKIM1; k=rsa; p=AAAA"), (domain, "v=spf1 mx -all"));
        var wrong = await VerifyAsync(tenant, domain);
        Assert.Equal("pending", wrong.GetProperty("status").GetString());
        Assert.Equal(["wrong", "wrong", "missing"], wrong.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("status").GetString()));

        await PublishAsync(domain, [.. records.Values.Select(r => (r.GetProperty("name").GetString()!, r.GetProperty("value").GetString()!))]);
        var verified = await VerifyAsync(tenant, domain);
        Assert.Equal("verified", verified.GetProperty("status").GetString());
        Assert.All(verified.GetProperty("records").EnumerateArray(), r => Assert.Equal("found", r.GetProperty("status").GetString()));

        // The DKIM record disappears; the periodic re-check notices without anyone asking.
        await PublishAsync(domain, (records["spf"].GetProperty("name").GetString()!, records["spf"].GetProperty("value").GetString()!));
        var failed = await Eventually.GetAsync(
            async () => await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/domains/{domain}"), HttpStatusCode.OK),
            d => d.GetProperty("status").GetString() == "failed", TimeSpan.FromSeconds(60), "the re-check to notice the removed DKIM record");
        Assert.Equal("missing", failed.GetProperty("records")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_domain_belongs_to_one_tenant()
    {
        var a = await _relay.CreateTenantAsync("A");
        var b = await _relay.CreateTenantAsync("B");
        var domain = $"o{Guid.NewGuid():N}"[..12] + ".example";
        await Relay.ReadAsync(await _relay.Api.PostAsJsonAsync($"/v1/tenants/{a.TenantId}/domains", new { domain }), HttpStatusCode.Created);
        await Relay.ReadAsync(await _relay.Api.PostAsJsonAsync($"/v1/tenants/{a.TenantId}/domains", new { domain = domain.ToUpperInvariant() }), HttpStatusCode.OK);

        await Relay.ReadAsync(await _relay.Api.PostAsJsonAsync($"/v1/tenants/{b.TenantId}/domains", new { domain }), HttpStatusCode.Conflict);
        await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{b.TenantId}/domains/{domain}"), HttpStatusCode.NotFound);
        await Relay.ReadAsync(await _relay.Api.PostAsync($"/v1/tenants/{b.TenantId}/domains/{domain}/verify", null), HttpStatusCode.NotFound);
        var listed = await Relay.ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{b.TenantId}/domains"), HttpStatusCode.OK);
        Assert.DoesNotContain(listed.EnumerateArray(), d => d.GetProperty("domain").GetString() == domain);
        await Relay.ReadAsync(await _relay.Api.PostAsJsonAsync($"/v1/tenants/{b.TenantId}/domains", new { domain = "not a domain" }), HttpStatusCode.BadRequest);
    }

    async Task<JsonElement> VerifyAsync(TenantCredential tenant, string domain) =>
        await Relay.ReadAsync(await _relay.Api.PostAsync($"/v1/tenants/{tenant.TenantId}/domains/{domain}/verify", null), HttpStatusCode.OK);

    Task PublishAsync(string domain, params (string Name, string Value)[] records) => _relay.Dns.ReplaceAsync(domain, records);
}
