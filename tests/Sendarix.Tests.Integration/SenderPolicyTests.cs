using System.Net;
using System.Net.Http.Json;
using System.Text;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>A tenant sends only as its own verified domains: in the envelope and in the From header.</summary>
[Collection(RelayCollection.Name)]
public sealed class SenderPolicyTests(RelayFixture fixture)
{
    Relay Relay => fixture.Relay;

    [Fact]
    public async Task Refuses_an_envelope_sender_of_an_unverified_or_another_tenants_domain()
    {
        var a = await Relay.CreateTenantAsync("A");
        var b = await Relay.CreateTenantAsync("B");
        await using var smtp = await SessionAsync(a);

        Assert.StartsWith("250 2.1.0", await smtp.CommandAsync($"MAIL FROM:<{a.Sender}>"));
        await smtp.CommandAsync("RSET");
        var unverified = await smtp.CommandAsync("MAIL FROM:<app@unverified.example>");
        Assert.StartsWith("550 5.7.1", unverified);
        Assert.Contains("unverified.example", unverified);
        Assert.StartsWith("550 5.7.1", await smtp.CommandAsync($"MAIL FROM:<{b.Sender}>"));
        Assert.StartsWith("250 2.1.0", await smtp.CommandAsync("MAIL FROM:<>"));
    }

    [Fact]
    public async Task Refuses_a_from_header_of_a_domain_the_tenant_may_not_use()
    {
        var a = await Relay.CreateTenantAsync("A");
        var b = await Relay.CreateTenantAsync("B");
        var to = $"from-{Guid.NewGuid():N}@sink.test";

        var (code, text) = await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", a, a.Sender, [to], Mail.Sample(b.Sender, to, "Spoof"));
        Assert.Equal(550, code);
        Assert.StartsWith("5.7.1", text);
        Assert.Contains(b.Domain, text);

        var twoFroms = Encoding.UTF8.GetBytes($"From: <{a.Sender}>\r\nFrom: <{b.Sender}>\r\nSubject: two\r\n\r\nbody\r\n");
        (code, _) = await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", a, a.Sender, [to], twoFroms);
        Assert.Equal(550, code);
        Assert.DoesNotContain(fixture.Sink.Messages, m => m.Recipients.Contains(to));
    }

    [Fact]
    public async Task An_operator_can_lift_the_policy_for_a_trusted_tenant()
    {
        var tenant = await Relay.CreateTenantAsync();
        var patched = await Relay.ReadAsync(await Relay.Api.PatchAsJsonAsync($"/v1/tenants/{tenant.TenantId}", new { allowUnverifiedSenders = true }), HttpStatusCode.OK);
        Assert.True(patched.GetProperty("allowUnverifiedSenders").GetBoolean());
        var to = $"trusted-{Guid.NewGuid():N}@sink.test";

        await Eventually.TrueAsync(async () =>
        {
            var (code, _) = await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", tenant, "app@anything.example", [to], Mail.Sample("app@anything.example", to, "Trusted"));
            return code == 250;
        }, TimeSpan.FromSeconds(15), "the lifted policy to reach the front-end");
    }

    [Fact]
    public async Task The_operators_exemption_never_covers_another_tenants_domain_or_its_subdomains()
    {
        var exempt = await Relay.CreateTenantAsync("Exempt");
        var owner = await Relay.CreateTenantAsync("Owner");
        await Relay.ReadAsync(await Relay.Api.PatchAsJsonAsync($"/v1/tenants/{exempt.TenantId}", new { allowUnverifiedSenders = true }), HttpStatusCode.OK);
        var free = $"app@free-{Guid.NewGuid():N}.example";
        var to = $"exempt-{Guid.NewGuid():N}@sink.test";

        // The exemption has reached the front-end once a domain nobody holds is taken.
        await Eventually.TrueAsync(async () =>
            (await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", exempt, free, [to], Mail.Sample(free, to, "Free domain"))).Code == 250,
            TimeSpan.FromSeconds(15), "the exemption to reach the front-end");

        var others = new[] { owner.Sender, $"app@news.{owner.Domain}" };
        foreach (var other in others)
        {
            var otherDomain = other[(other.IndexOf('@') + 1)..];
            foreach (var (envelope, header, what) in new[] { (other, free, "envelope"), (free, other, "header"), (other, other, "both") })
            {
                var (code, text) = await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", exempt, envelope, [to], Mail.Sample(header, to, $"Spoof {what}"));
                Assert.True(code == 550 && text.StartsWith("5.7.1", StringComparison.Ordinal) && text.Contains(otherDomain, StringComparison.Ordinal),
                    $"An exempt tenant sending as {other} ({what}) got {code} {text}, not 550 5.7.1 naming {otherDomain}.");
            }
        }

        // Only the message from the free domain arrived.
        var arrived = await Eventually.GetAsync(() => Task.FromResult(fixture.Sink.Messages.Where(m => m.Recipients.Contains(to)).ToList()),
            m => m.Count >= 1, TimeSpan.FromSeconds(30), "the free-domain message at the sink");
        Assert.All(arrived, m => Assert.Contains("Free domain", m.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Subdomains_of_a_verified_domain_are_allowed_only_by_the_tenant_setting()
    {
        var tenant = await Relay.CreateTenantAsync();
        var sub = $"app@news.{tenant.Domain}";
        await using (var smtp = await SessionAsync(tenant))
        {
            Assert.StartsWith("550 5.7.1", await smtp.CommandAsync($"MAIL FROM:<{sub}>"));
        }

        await Relay.ReadAsync(await Relay.Api.PatchAsJsonAsync($"/v1/tenants/{tenant.TenantId}", new { allowSubdomains = true }), HttpStatusCode.OK);
        await Eventually.TrueAsync(async () =>
        {
            await using var smtp = await SessionAsync(tenant);
            return (await smtp.CommandAsync($"MAIL FROM:<{sub}>")).StartsWith("250 2.1.0", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(15), "the subdomain setting to reach the front-end");
    }

    async Task<RawSmtp> SessionAsync(TenantCredential tenant)
    {
        var smtp = await RawSmtp.ConnectAsync(Relay.StartTlsPort);
        await smtp.SecureAsync();
        await smtp.LoginAsync(tenant);
        return smtp;
    }
}
