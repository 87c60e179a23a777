using System.Net;
using System.Net.Http.Json;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>A tenant's suppression list: fed by hard bounces, never delivered to, managed through the API.</summary>
[Collection(RelayCollection.Name)]
public sealed class SuppressionTests(RelayFixture fixture)
{
    Relay Relay => fixture.Relay;

    [Fact]
    public async Task A_hard_bounce_suppresses_the_recipient_and_the_next_message_to_it_is_not_delivered()
    {
        var tenant = await Relay.CreateTenantAsync();
        var gone = $"gone-{Guid.NewGuid():N}@sink.test";
        var blocked = $"policy-{Guid.NewGuid():N}@sink.test";
        fixture.Sink.RcptReply = r => r == gone ? "550 5.1.1 The email account that you tried to reach does not exist"
            : r == blocked ? "550 5.7.1 Message rejected due to local policy" : "250 2.1.5 OK";
        try
        {
            var first = await Relay.SubmitAsync(tenant, [gone, blocked], "Suppression");
            await Relay.WaitForStatusAsync(first, TimeSpan.FromSeconds(30), "bounced");

            // The round records its outcomes first and feeds the suppression list right after: wait for the entry.
            var list = await Eventually.GetAsync(
                async () => await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/suppressions"), HttpStatusCode.OK),
                l => l.GetProperty("items").GetArrayLength() > 0, TimeSpan.FromSeconds(10), "the hard bounce's suppression");
            var entry = Assert.Single(list.GetProperty("items").EnumerateArray());
            Assert.Equal(gone, entry.GetProperty("address").GetString());
            Assert.Equal("hard_bounce", entry.GetProperty("reason").GetString());
            Assert.Equal(first, entry.GetProperty("messageId").GetString());

            // The policy refusal bounced too but says nothing about the address: it is tried again next time.
            var second = await Relay.SubmitAsync(tenant, [gone, blocked], "Suppression");
            var view = await Relay.WaitForStatusAsync(second, TimeSpan.FromSeconds(30), "suppressed", "bounced");
            var status = view.GetProperty("recipients").EnumerateArray().ToDictionary(r => r.GetProperty("address").GetString()!, r => r.GetProperty("status").GetString());
            Assert.Equal("suppressed", status[gone]);
            Assert.Equal("bounced", status[blocked]);
            Assert.DoesNotContain(fixture.Sink.Messages, m => m.Recipients.Contains(gone));
        }
        finally
        {
            fixture.Sink.RcptReply = _ => "250 2.1.5 OK";
        }
    }

    [Fact]
    public async Task Suppressions_are_added_searched_exported_and_removed_through_the_api()
    {
        var tenant = await Relay.CreateTenantAsync();
        foreach (var address in new[] { "alice@one.test", "bob@one.test", "carol@two.test" })
        {
            await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/suppressions", new { address }), HttpStatusCode.Created);
        }

        var found = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/suppressions?search=b"), HttpStatusCode.OK);
        Assert.Equal(["bob@one.test"], found.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("address").GetString()));
        var page = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/suppressions?limit=2"), HttpStatusCode.OK);
        Assert.Equal("bob@one.test", page.GetProperty("next").GetString());
        var rest = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/suppressions?limit=2&next=bob%40one.test"), HttpStatusCode.OK);
        Assert.Equal(["carol@two.test"], rest.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("address").GetString()));

        var csv = await Relay.Api.GetStringAsync($"/v1/tenants/{tenant.TenantId}/suppressions/export");
        Assert.StartsWith("address,reason,createdAt,messageId\r\n\"alice@one.test\",manual,", csv);
        Assert.Equal(4, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);

        Assert.Equal(HttpStatusCode.NoContent, (await Relay.Api.DeleteAsync($"/v1/tenants/{tenant.TenantId}/suppressions/bob@one.test")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Relay.Api.DeleteAsync($"/v1/tenants/{tenant.TenantId}/suppressions/bob@one.test")).StatusCode);
        var other = await Relay.CreateTenantAsync();
        var empty = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{other.TenantId}/suppressions"), HttpStatusCode.OK);
        Assert.Empty(empty.GetProperty("items").EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await Relay.Api.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/suppressions", new { address = "nope" })).StatusCode);
    }

    [Fact]
    public async Task A_tenant_can_have_suppressed_recipients_refused_at_rcpt()
    {
        var tenant = await Relay.CreateTenantAsync();
        await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/suppressions", new { address = "blocked@sink.test" }), HttpStatusCode.Created);
        await Relay.ReadAsync(await Relay.Api.PatchAsJsonAsync($"/v1/tenants/{tenant.TenantId}", new { rejectSuppressedRecipients = true }), HttpStatusCode.OK);

        await Eventually.TrueAsync(async () =>
        {
            await using var smtp = await RawSmtp.ConnectAsync(Relay.StartTlsPort);
            await smtp.SecureAsync();
            await smtp.LoginAsync(tenant);
            await smtp.CommandAsync($"MAIL FROM:<{tenant.Sender}>");
            var refused = await smtp.CommandAsync("RCPT TO:<blocked@sink.test>");
            return refused.StartsWith("550 5.7.1", StringComparison.Ordinal) && (await smtp.CommandAsync("RCPT TO:<fine@sink.test>")).StartsWith("250", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(15), "suppressed recipients to be refused at RCPT");
    }
}
