using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Sendarix.Core.Events;
using Sendarix.Core.Ids;
using Sendarix.Storage.Search;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// Message search: each filter alone and together, newest first, paged with 'limit' and 'next', within one tenant
/// for a tenant's key and across tenants for the operator.
/// </summary>
[Collection(RelayCollection.Name)]
public sealed class MessageSearchTests(RelayFixture fixture)
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    Relay Relay => fixture.Relay;

    [Fact]
    public async Task Every_filter_finds_its_messages_alone_and_combined_newest_first()
    {
        var tenant = await Relay.CreateTenantAsync("Search");
        var run = Guid.NewGuid().ToString("N")[..8];
        var invoice = await SendAsync(tenant, $"Ann.{run}@Sink.test", $"Invoice {run} for March", $"<inv-{run}@client.test>",
            "X-Sendarix-Tag: billing\r\nX-Sendarix-Metadata-Customer: c-17\r\n");
        var welcome = await SendAsync(tenant, $"bob.{run}@other.test", $"Welcome {run}", $"<wel-{run}@client.test>",
            "X-PM-Tag: Onboarding\r\nX-Sendarix-Metadata-Customer: c-18\r\n");
        var bounced = await SendAsync(tenant, "bounce@simulator.invalid", $"Invoice {run} again", $"<bnc-{run}@client.test>",
            "X-Sendarix-Tag: billing\r\n");
        var all = await SearchAsync(tenant.TenantId, "", expected: 3);
        Assert.Equal([bounced, welcome, invoice], Ids(all));
        var bounce = all.GetProperty("items")[0].GetProperty("recipients")[0];
        Assert.Equal("bounced", bounce.GetProperty("status").GetString());
        Assert.Equal("invalid_recipient", bounce.GetProperty("bounceCategory").GetString());

        Assert.Equal([invoice], await IdsAsync(tenant.TenantId, $"recipient={Uri.EscapeDataString($"ann.{run}@sink.TEST")}"));
        Assert.Equal([welcome], await IdsAsync(tenant.TenantId, "domain=OTHER.test"));
        Assert.Equal([bounced, welcome, invoice], await IdsAsync(tenant.TenantId, $"sender={Uri.EscapeDataString(tenant.Sender.ToUpperInvariant())}"));
        Assert.Equal([welcome], await IdsAsync(tenant.TenantId, $"messageId={Uri.EscapeDataString($"wel-{run}@client.test")}"));
        Assert.Equal([welcome], await IdsAsync(tenant.TenantId, $"messageId={Uri.EscapeDataString($"<wel-{run}@client.test>")}"));
        Assert.Equal([bounced, invoice], await IdsAsync(tenant.TenantId, $"subject={Uri.EscapeDataString($"invoice {run}")}"));
        Assert.Equal([bounced, invoice], await IdsAsync(tenant.TenantId, "tag=billing"));
        Assert.Equal([welcome], await IdsAsync(tenant.TenantId, "tag=onboarding"));
        Assert.Equal([welcome], await IdsAsync(tenant.TenantId, $"metadata={Uri.EscapeDataString("customer=c-18")}"));
        Assert.Equal([bounced], await IdsAsync(tenant.TenantId, "status=bounced"));
        Assert.Equal([welcome, invoice], await IdsAsync(tenant.TenantId, "status=delivered"));
        Assert.Equal([bounced], await IdsAsync(tenant.TenantId, "bounceCategory=invalid_recipient"));
        Assert.Equal([invoice], await IdsAsync(tenant.TenantId, "tag=billing&status=delivered"));
        Assert.Equal([bounced], await IdsAsync(tenant.TenantId, $"tag=billing&subject={Uri.EscapeDataString($"Invoice {run} a")}"));
        Assert.Empty(await IdsAsync(tenant.TenantId, "tag=billing&domain=other.test"));
        Assert.Empty(await IdsAsync(tenant.TenantId, "recipient=nobody%40sink.test"));

        // A time window: from the second message's acceptance on.
        var since = all.GetProperty("items")[1].GetProperty("acceptedAt").GetDateTimeOffset();
        Assert.Equal([bounced, welcome], await IdsAsync(tenant.TenantId, $"since={Uri.EscapeDataString(since.ToString("O"))}"));
        Assert.Equal([invoice], await IdsAsync(tenant.TenantId, $"until={Uri.EscapeDataString(since.AddTicks(-1).ToString("O"))}"));
        Assert.Equal([welcome], await IdsAsync(tenant.TenantId, $"tag=onboarding&since={Uri.EscapeDataString(since.ToString("O"))}"));
    }

    [Fact]
    public async Task Pages_follow_next_to_the_end_and_bad_parameters_get_problem_details()
    {
        var tenant = await Relay.CreateTenantAsync("Paging");
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await Relay.SubmitAsync(tenant, [$"page{i}-{Guid.NewGuid():N}@sink.test"], $"Page {i}"));
        }

        await SearchAsync(tenant.TenantId, "", expected: 5);
        var listed = new List<string>();
        string? next = null;
        var pages = 0;
        do
        {
            var page = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/messages?limit=2{(next is null ? "" : $"&next={next}")}"), HttpStatusCode.OK);
            listed.AddRange(Ids(page));
            next = page.TryGetProperty("next", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
            pages++;
        }
        while (next is not null);

        ids.Reverse();
        Assert.Equal(ids, listed);
        Assert.InRange(pages, 3, 4);

        foreach (var bad in new[] { "limit=0", "limit=101", "next=not%20a%20cursor", "status=lost", "bounceCategory=bad", "metadata=no-pair", "since=2026-02-01&until=2026-01-01", "tag=%20" })
        {
            var problem = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/messages?{bad}"), HttpStatusCode.BadRequest);
            Assert.True(problem.TryGetProperty("errors", out _), bad);
        }
    }

    [Fact]
    public async Task A_tenant_key_finds_only_its_own_messages_and_the_operator_searches_across_tenants()
    {
        var a = await Relay.CreateTenantAsync("Search A");
        var b = await Relay.CreateTenantAsync("Search B");
        var shared = $"shared-{Guid.NewGuid():N}@sink.test";
        var ofA = await Relay.SubmitAsync(a, [shared], "To the shared address from A");
        var ofB = await Relay.SubmitAsync(b, [shared], "To the shared address from B");
        var recipient = $"recipient={Uri.EscapeDataString(shared)}";
        Assert.Equal([ofA], Ids(await SearchAsync(a.TenantId, recipient, expected: 1)));
        Assert.Equal([ofB], Ids(await SearchAsync(b.TenantId, recipient, expected: 1)));

        var issued = await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"/v1/tenants/{a.TenantId}/api-keys", new { label = "search" }), HttpStatusCode.Created);
        using var keyOfA = new HttpClient { BaseAddress = Relay.Api.BaseAddress };
        keyOfA.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issued.GetProperty("key").GetString());
        Assert.Equal([ofA], Ids(await Relay.ReadAsync(await keyOfA.GetAsync($"/v1/tenants/{a.TenantId}/messages?{recipient}"), HttpStatusCode.OK)));
        Assert.Equal(HttpStatusCode.NotFound, (await keyOfA.GetAsync($"/v1/tenants/{b.TenantId}/messages?{recipient}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await keyOfA.GetAsync($"/v1/messages?{recipient}")).StatusCode);

        var everywhere = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/messages?{recipient}"), HttpStatusCode.OK);
        Assert.Equal([ofB, ofA], Ids(everywhere));
        var onePerPage = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/messages?{recipient}&limit=1"), HttpStatusCode.OK);
        Assert.Equal([ofB], Ids(onePerPage));
        var second = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/messages?{recipient}&limit=1&next={onePerPage.GetProperty("next").GetString()}"), HttpStatusCode.OK);
        Assert.Equal([ofA], Ids(second));
        Assert.Equal([ofA], Ids(await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/messages?{recipient}&tenantId={a.TenantId}"), HttpStatusCode.OK)));
    }

    async Task<string> SendAsync(TenantCredential tenant, string to, string subject, string messageId, string extraFields)
    {
        var message = Encoding.UTF8.GetBytes(
            $"From: <{tenant.Sender}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nMessage-ID: {messageId}\r\n{extraFields}\r\nSearch me.\r\n");
        var (code, text) = await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", tenant, tenant.Sender, [to], message);
        Assert.True(code == 250, $"{code} {text}");
        return Mail.QueuedId(text);
    }

    // Messages become searchable when delivery first takes them: wait for every one expected, and its outcome.
    Task<JsonElement> SearchAsync(string tenantId, string query, int expected) =>
        Eventually.GetAsync(async () => await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenantId}/messages?{query}"), HttpStatusCode.OK),
            page => page.GetProperty("items").GetArrayLength() == expected
                    && page.GetProperty("items").EnumerateArray().All(m => m.GetProperty("recipients").EnumerateArray().All(r => r.GetProperty("status").GetString() != "queued")),
            Wait, $"{expected} message(s) found by '{query}'");

    async Task<List<string>> IdsAsync(string tenantId, string query) =>
        Ids(await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenantId}/messages?{query}"), HttpStatusCode.OK));

    static List<string> Ids(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("id").GetString()!)];

    [Fact]
    public async Task A_round_indexed_again_after_a_crash_finds_its_rows_written_and_writes_them_again()
    {
        var tenant = await Relay.CreateTenantAsync("Search again");
        var search = Relay.Services.GetRequiredService<SearchIndex>();
        var id = MessageId.New(tenant.TenantId, DateTimeOffset.UtcNow).ToString();
        var recipient = $"again-{Guid.NewGuid():N}@example.test";
        var context = new EventMessage(id, tenant.Sender, $"<{Guid.NewGuid():N}@again.test>", "Again", ["again"], new Dictionary<string, string>());
        RelayEvent Step(EventType type, int sequence) => new()
        {
            Id = EventIds.ForRecipient(id, 0, sequence, type), Type = type, Time = DateTimeOffset.UtcNow, TenantId = tenant.TenantId,
            Message = context, Recipient = recipient, Sequence = sequence,
        };

        // New rows are added; the same round again finds them there (a transaction of adds fails) and upserts them.
        IReadOnlyList<RelayEvent> round = [Step(EventType.Accepted, 0), Step(EventType.Delivered, 1)];
        await search.AddAsync(round, CancellationToken.None);
        await search.AddAsync(round, CancellationToken.None);

        Assert.Equal([id], await Relay.SearchIdsAsync(tenant.TenantId, $"recipient={Uri.EscapeDataString(recipient)}"));
        Assert.Equal([id], await Relay.SearchIdsAsync(tenant.TenantId, $"messageId={Uri.EscapeDataString(context.MessageIdHeader!)}&status=delivered"));
        Assert.Equal([id], await Relay.SearchIdsAsync(tenant.TenantId, "tag=again"));
    }
}
