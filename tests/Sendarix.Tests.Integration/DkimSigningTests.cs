using System.Net.Http.Json;
using System.Net;
using System.Text;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>Relayed mail carries a DKIM signature of its From domain that an independent verifier accepts.</summary>
[Collection(RelayCollection.Name)]
public sealed class DkimSigningTests(RelayFixture fixture)
{
    Relay Relay => fixture.Relay;

    [Fact]
    public async Task Mail_from_a_verified_domain_is_signed_so_that_dkimpy_verifies_it_with_the_published_record()
    {
        var tenant = await Relay.CreateTenantAsync();
        var to = $"dkim-{Guid.NewGuid():N}@sink.test";
        var (code, text) = await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", tenant, tenant.Sender, [to], Mail.Sample(tenant.Sender, to, "Signed"));
        Assert.Equal(250, code);
        await Relay.WaitForStatusAsync(Mail.QueuedId(text), TimeSpan.FromSeconds(30), "delivered");

        var delivered = Assert.Single(fixture.Sink.Messages, m => m.Recipients.Contains(to));
        Assert.StartsWith("DKIM-Signature: ", delivered.Text);
        var signature = delivered.Text[..delivered.Text.IndexOf("\r\nReceived: ", StringComparison.Ordinal)];
        Assert.Contains($"d={tenant.Domain}", signature);
        Assert.Contains("c=relaxed/relaxed", signature);
        Assert.Contains("a=rsa-sha256", signature);

        var domain = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/domains/{tenant.Domain}"), HttpStatusCode.OK);
        var dkim = domain.GetProperty("records").EnumerateArray().Single(r => r.GetProperty("kind").GetString() == "dkim");
        var name = dkim.GetProperty("name").GetString()!;
        var value = dkim.GetProperty("value").GetString()!;
        Assert.Equal("pass", await DkimVerifier.VerifyAsync(delivered.Data, name, value));

        // The verifier can fail: a changed body no longer verifies.
        var tampered = Encoding.UTF8.GetBytes(delivered.Text.Replace("Hello from the tests.", "Hello from someone else.", StringComparison.Ordinal));
        Assert.StartsWith("fail", await DkimVerifier.VerifyAsync(tampered, name, value));
    }

    [Fact]
    public async Task A_key_rotation_keeps_every_message_verifiable_and_switches_signing_once_the_new_record_verifies()
    {
        var tenant = await Relay.CreateTenantAsync();
        var before = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/domains/{tenant.Domain}"), HttpStatusCode.OK);
        var oldRecord = Record(before, "dkim");
        var oldSelector = before.GetProperty("selector").GetString()!;

        var rotating = await Relay.ReadAsync(await Relay.Api.PostAsync($"/v1/tenants/{tenant.TenantId}/domains/{tenant.Domain}/rotate", null), HttpStatusCode.OK);
        var newRecord = Record(rotating, "dkim-next");
        var newSelector = rotating.GetProperty("nextSelector").GetString()!;
        Assert.NotEqual(oldSelector, newSelector);
        Assert.Equal("verified", rotating.GetProperty("status").GetString());

        // Until the new record verifies, mail is signed with the old key, whose record is still published.
        var first = await SendSignedAsync(tenant);
        Assert.Contains($"s={oldSelector}", first.Signature);
        Assert.Equal("pass", await DkimVerifier.VerifyAsync(first.Data, oldRecord.Name, oldRecord.Value));

        await Relay.Dns.PublishAsync(tenant.Domain, newRecord.Name, newRecord.Value);
        var switched = await Relay.ReadAsync(await Relay.Api.PostAsync($"/v1/tenants/{tenant.TenantId}/domains/{tenant.Domain}/verify", null), HttpStatusCode.OK);
        Assert.Equal(newSelector, switched.GetProperty("selector").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, switched.GetProperty("nextSelector").ValueKind);
        Assert.Equal("verified", switched.GetProperty("status").GetString());

        var after = await Eventually.GetAsync(() => SendSignedAsync(tenant), m => m.Signature.Contains($"s={newSelector};", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), "signing to switch to the new key");
        Assert.Equal("pass", await DkimVerifier.VerifyAsync(after.Data, newRecord.Name, newRecord.Value));
    }

    static (string Name, string Value) Record(System.Text.Json.JsonElement domain, string kind)
    {
        var record = domain.GetProperty("records").EnumerateArray().Single(r => r.GetProperty("kind").GetString() == kind);
        return (record.GetProperty("name").GetString()!, record.GetProperty("value").GetString()!);
    }

    async Task<(string Signature, byte[] Data)> SendSignedAsync(TenantCredential tenant)
    {
        var to = $"rot-{Guid.NewGuid():N}@sink.test";
        var (_, text) = await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", tenant, tenant.Sender, [to], Mail.Sample(tenant.Sender, to, "Rotation"));
        await Relay.WaitForStatusAsync(Mail.QueuedId(text), TimeSpan.FromSeconds(30), "delivered");
        var delivered = Assert.Single(fixture.Sink.Messages, m => m.Recipients.Contains(to));
        return (delivered.Text[..delivered.Text.IndexOf("\r\nReceived: ", StringComparison.Ordinal)], delivered.Data);
    }

    [Fact]
    public async Task A_domain_with_an_ed25519_key_gets_a_second_signature_that_dkimpy_verifies_too()
    {
        var tenant = await Relay.CreateTenantAsync();
        var domain = $"ed.{tenant.Domain}";
        var added = await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/domains", new { domain, ed25519 = true }), HttpStatusCode.Created);
        var rsa = Record(added, "dkim");
        var ed = Record(added, "dkim-ed25519");
        Assert.StartsWith("v=DKIM1; k=ed25519; p=", ed.Value);
        await Relay.Dns.PublishAsync(domain, rsa.Name, rsa.Value);
        await Relay.Dns.PublishAsync(domain, ed.Name, ed.Value);
        var verified = await Relay.ReadAsync(await Relay.Api.PostAsync($"/v1/tenants/{tenant.TenantId}/domains/{domain}/verify", null), HttpStatusCode.OK);
        Assert.Equal("found", Status(verified, "dkim-ed25519"));

        var sender = $"app@{domain}";
        var to = $"ed-{Guid.NewGuid():N}@sink.test";
        var (_, text) = await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", tenant, sender, [to], Mail.Sample(sender, to, "Two signatures"));
        await Relay.WaitForStatusAsync(Mail.QueuedId(text), TimeSpan.FromSeconds(30), "delivered");
        var delivered = Assert.Single(fixture.Sink.Messages, m => m.Recipients.Contains(to));
        Assert.Contains("a=rsa-sha256", delivered.Text);
        Assert.Contains("a=ed25519-sha256", delivered.Text);
        Assert.Equal("pass", await DkimVerifier.VerifyAsync(delivered.Data, rsa, ed));
    }

    static string? Status(System.Text.Json.JsonElement domain, string kind) =>
        domain.GetProperty("records").EnumerateArray().Single(r => r.GetProperty("kind").GetString() == kind).GetProperty("status").GetString();

    [Fact]
    public async Task Mail_from_a_domain_the_tenant_has_not_verified_is_not_signed()
    {
        var tenant = await Relay.CreateTenantAsync();
        await Relay.ReadAsync(await Relay.Api.PatchAsync($"/v1/tenants/{tenant.TenantId}",
            new StringContent("""{"allowUnverifiedSenders":true}""", Encoding.UTF8, "application/json")), HttpStatusCode.OK);
        var to = $"nodkim-{Guid.NewGuid():N}@sink.test";
        var (code, text) = await Eventually.GetAsync(
            () => PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", tenant, "app@elsewhere.example", [to], Mail.Sample("app@elsewhere.example", to, "Unsigned")),
            r => r.Code == 250, TimeSpan.FromSeconds(15), "the lifted policy to reach the front-end");
        await Relay.WaitForStatusAsync(Mail.QueuedId(text), TimeSpan.FromSeconds(30), "delivered");
        Assert.StartsWith("Received: ", Assert.Single(fixture.Sink.Messages, m => m.Recipients.Contains(to)).Text);
        Assert.Equal(250, code);
    }
}
