using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Sendarix.Tests.Integration.Infrastructure;
using Xunit.Abstractions;

namespace Sendarix.Tests.Integration;

/// <summary>Per-tenant sending limits, set through the API, enforced for the tenant alone with clear temporary replies.</summary>
[Collection(RelayCollection.Name)]
public sealed class SendingLimitsTests(RelayFixture fixture, ITestOutputHelper output)
{
    Relay Relay => fixture.Relay;

    [Fact]
    public async Task A_tenant_over_its_rate_gets_451_while_another_tenant_sends_at_full_speed()
    {
        var a = await Relay.CreateTenantAsync("A");
        var b = await Relay.CreateTenantAsync("B");
        await SetLimitsAsync(a, new { messagesPerMinute = 3 });

        await using var smtpA = await SessionAsync(a);
        var replies = new List<string>();
        await Eventually.TrueAsync(async () =>
        {
            var reply = await smtpA.CommandAsync($"MAIL FROM:<{a.Sender}>");
            await smtpA.CommandAsync("RSET");
            replies.Add(reply);
            return reply.StartsWith("451", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30), "the rate limit to apply");
        var refused = replies[^1];
        Assert.StartsWith("451 4.7.1 Sending limit of 3 messages per minute reached", refused);
        // Once the limit applied, exactly three more were accepted before the refusal.
        Assert.True(replies.Count >= 4 && replies[^4..^1].All(r => r.StartsWith("250 2.1.0", StringComparison.Ordinal)), string.Join(" | ", replies));

        // B is not slowed: five messages while A is refused, each as fast as A's refusal.
        await using var smtpB = await SessionAsync(b);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 5; i++)
        {
            Assert.StartsWith("250 2.1.0", await smtpB.CommandAsync($"MAIL FROM:<{b.Sender}>"));
            await smtpB.CommandAsync("RSET");
            Assert.StartsWith("451 4.7.1", await smtpA.CommandAsync($"MAIL FROM:<{a.Sender}>"));
            await smtpA.CommandAsync("RSET");
        }

        output.WriteLine($"5 accepted MAIL for B and 5 refused for A in {clock.ElapsedMilliseconds} ms");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Recipient_and_size_limits_apply_per_tenant()
    {
        var tenant = await Relay.CreateTenantAsync();
        await SetLimitsAsync(tenant, new { recipientsPerMessage = 2, maxMessageSize = 5000 });
        await using var smtp = await SessionAsync(tenant);

        await Eventually.TrueAsync(async () =>
        {
            var reply = await smtp.CommandAsync($"MAIL FROM:<{tenant.Sender}> SIZE=6000");
            await smtp.CommandAsync("RSET");
            return reply.StartsWith("552 5.3.4", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(30), "the size limit to apply");

        Assert.StartsWith("250 2.1.0", await smtp.CommandAsync($"MAIL FROM:<{tenant.Sender}>"));
        Assert.StartsWith("250 2.1.5", await smtp.CommandAsync("RCPT TO:<one@sink.test>"));
        Assert.StartsWith("250 2.1.5", await smtp.CommandAsync("RCPT TO:<two@sink.test>"));
        Assert.StartsWith("452 4.5.3 Too many recipients (at most 2", await smtp.CommandAsync("RCPT TO:<three@sink.test>"));
        Assert.StartsWith("354", await smtp.CommandAsync("DATA"));
        await smtp.SendAsync($"From: <{tenant.Sender}>\r\nSubject: big\r\n\r\n{new string('x', 8000)}\r\n");
        Assert.StartsWith("552 5.3.4", await smtp.CommandAsync("."));

        var invalid = await Relay.Api.PutAsJsonAsync($"/v1/tenants/{tenant.TenantId}/limits", new { messagesPerMinute = 0, maxMessageSize = 60_000_000 });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }

    async Task SetLimitsAsync(TenantCredential tenant, object limits)
    {
        var set = await Relay.ReadAsync(await Relay.Api.PutAsJsonAsync($"/v1/tenants/{tenant.TenantId}/limits", limits), HttpStatusCode.OK);
        Assert.Equal(System.Text.Json.JsonValueKind.Object, set.GetProperty("limits").ValueKind);
    }

    async Task<RawSmtp> SessionAsync(TenantCredential tenant)
    {
        var smtp = await RawSmtp.ConnectAsync(Relay.StartTlsPort);
        await smtp.SecureAsync();
        await smtp.LoginAsync(tenant);
        return smtp;
    }
}
