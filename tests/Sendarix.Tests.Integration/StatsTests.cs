using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>Statistics: outcomes counted per hour and day, by tag, domain and provider, per tenant and across tenants.</summary>
[Collection(RelayCollection.Name)]
public sealed class StatsTests(RelayFixture fixture)
{
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    const string Sandbox = "simulator.invalid";

    Relay Relay => fixture.Relay;

    [Fact]
    public async Task A_tenants_outcomes_are_counted_by_hour_and_day_and_grouped_by_tag_domain_and_provider()
    {
        var tenant = await Relay.CreateTenantAsync("Stats");
        await SendAsync(tenant, $"success+{Guid.NewGuid():N}@{Sandbox}", "X-Sendarix-Tag: Welcome\r\n");
        await SendAsync(tenant, $"success+{Guid.NewGuid():N}@{Sandbox}", "X-Sendarix-Tag: welcome\r\n");
        await SendAsync(tenant, $"bounce+{Guid.NewGuid():N}@{Sandbox}", "X-Sendarix-Tag: receipts\r\n");
        await SendAsync(tenant, $"stats-{Guid.NewGuid():N}@sink.test", "");

        var at = $"/v1/tenants/{tenant.TenantId}/stats";
        var hourly = await Eventually.GetAsync(async () => await Relay.ReadAsync(await Relay.Api.GetAsync(at), HttpStatusCode.OK),
            s => Total(s, "delivered") == 3 && Total(s, "bounced") == 1, Wait, "three deliveries and a bounce counted");
        Assert.Equal("hour", hourly.GetProperty("interval").GetString());
        Assert.InRange(hourly.GetProperty("intervals").GetArrayLength(), 24, 25);
        Assert.Equal(4, Total(hourly, "accepted"));

        var daily = await Relay.ReadAsync(await Relay.Api.GetAsync($"{at}?interval=day&from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(-6).ToString("O"))}"), HttpStatusCode.OK);
        Assert.InRange(daily.GetProperty("intervals").GetArrayLength(), 6, 7);
        Assert.Equal(3, Total(daily, "delivered"));
        var today = Groups(daily).Where(g => g.GetProperty("accepted").GetInt64() > 0).ToList();
        if (today.Count == 1)
        {
            // (Unless the messages straddled midnight UTC.)
            Assert.Equal(1, today[0].GetProperty("bouncesByCategory").GetProperty("invalid_recipient").GetInt64());
            Assert.Equal(0.75, today[0].GetProperty("deliveryRate").GetDouble());
            Assert.Equal(0.25, today[0].GetProperty("bounceRate").GetDouble());
            Assert.InRange(today[0].GetProperty("deliveryTime").GetProperty("p50Ms").GetInt64(), 1, 60_000);
            Assert.InRange(today[0].GetProperty("deliveryTime").GetProperty("p99Ms").GetInt64(), 1, 60_000);
        }

        var byTag = await Relay.ReadAsync(await Relay.Api.GetAsync($"{at}?groupBy=tag"), HttpStatusCode.OK);
        Assert.Equal([("receipts", 0L, 1L), ("welcome", 2L, 0L)], Sums(byTag, "delivered", "bounced"));
        var byDomain = await Relay.ReadAsync(await Relay.Api.GetAsync($"{at}?groupBy=domain"), HttpStatusCode.OK);
        Assert.Equal(["simulator.invalid", "sink.test"], Groups(byDomain).Select(g => g.GetProperty("group").GetString()).Distinct());
        var byProvider = await Relay.ReadAsync(await Relay.Api.GetAsync($"{at}?groupBy=provider"), HttpStatusCode.OK);
        Assert.Equal([("default", 1L, 0L), ("simulator", 2L, 1L)], Sums(byProvider, "delivered", "bounced"));

        var reputation = hourly.GetProperty("reputation");
        Assert.True(reputation.GetProperty("maxBounceRate").GetDouble() > 0);
        Assert.True(reputation.GetProperty("minimumSends").GetInt32() > 0);

        foreach (var bad in new[] { "interval=week", "groupBy=color", "from=2026-01-02&to=2026-01-01", "interval=hour&from=2026-01-01&to=2026-03-01" })
        {
            await Relay.ReadAsync(await Relay.Api.GetAsync($"{at}?{bad}"), HttpStatusCode.BadRequest);
        }
    }

    [Fact]
    public async Task A_tenant_key_sees_only_its_own_counts_and_the_operator_sees_every_tenants_by_provider()
    {
        var a = await Relay.CreateTenantAsync("Stats A");
        var b = await Relay.CreateTenantAsync("Stats B");
        await SendAsync(a, $"success+{Guid.NewGuid():N}@{Sandbox}", "");
        await SendAsync(b, $"success+{Guid.NewGuid():N}@{Sandbox}", "");
        await SendAsync(b, $"success+{Guid.NewGuid():N}@{Sandbox}", "");
        await Eventually.TrueAsync(async () => Total(await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{b.TenantId}/stats"), HttpStatusCode.OK), "delivered") == 2,
            Wait, "B's two deliveries counted");

        var issued = await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"/v1/tenants/{a.TenantId}/api-keys", new { label = "stats" }), HttpStatusCode.Created);
        using var keyOfA = new HttpClient { BaseAddress = Relay.Api.BaseAddress };
        keyOfA.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issued.GetProperty("key").GetString());
        var own = await Eventually.GetAsync(async () => await Relay.ReadAsync(await keyOfA.GetAsync($"/v1/tenants/{a.TenantId}/stats"), HttpStatusCode.OK),
            s => Total(s, "delivered") == 1, Wait, "A's delivery counted");
        Assert.Equal(1, Total(own, "accepted"));
        Assert.Equal(HttpStatusCode.NotFound, (await keyOfA.GetAsync($"/v1/tenants/{b.TenantId}/stats")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await keyOfA.GetAsync("/v1/stats")).StatusCode);

        var all = await Relay.ReadAsync(await Relay.Api.GetAsync("/v1/stats?groupBy=provider"), HttpStatusCode.OK);
        Assert.True(Groups(all).Where(g => g.GetProperty("group").GetString() == "simulator").Sum(g => g.GetProperty("delivered").GetInt64()) >= 3);
        Assert.False(all.TryGetProperty("reputation", out var r) && r.ValueKind != JsonValueKind.Null);
        await Relay.ReadAsync(await Relay.Api.GetAsync("/v1/stats?groupBy=tag"), HttpStatusCode.BadRequest);
    }

    async Task SendAsync(TenantCredential tenant, string to, string fields)
    {
        var message = Encoding.UTF8.GetBytes($"From: <{tenant.Sender}>\r\nTo: <{to}>\r\nSubject: Stats\r\n{fields}\r\nCount me.\r\n");
        var (code, text) = await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", tenant, tenant.Sender, [to], message);
        Assert.True(code == 250, $"{code} {text}");
    }

    static IEnumerable<JsonElement> Groups(JsonElement stats) =>
        stats.GetProperty("intervals").EnumerateArray().SelectMany(i => i.GetProperty("groups").EnumerateArray());

    // Each group's two counters over every interval, in group order.
    static List<(string?, long, long)> Sums(JsonElement stats, string first, string second) =>
        [.. Groups(stats).GroupBy(g => g.GetProperty("group").GetString()).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (g.Key, g.Sum(x => x.GetProperty(first).GetInt64()), g.Sum(x => x.GetProperty(second).GetInt64())))];

    static long Total(JsonElement stats, string counter) => Groups(stats).Sum(g => g.GetProperty(counter).GetInt64());
}
