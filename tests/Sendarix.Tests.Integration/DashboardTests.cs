using System.Net;
using System.Net.Http.Json;
using OpenQA.Selenium;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// The dashboard in a real headless Chromium: a tenant signs in with its API key, finds a message by recipient,
/// opens its timeline and sees its charts drawn from its counts; the operator sees the queue of a destination that
/// defers, updated live; a tenant reaches no operator page and no other tenant's data. Each page's screenshot is
/// saved under docs/screenshots.
/// </summary>
public sealed class DashboardTests(DashboardTests.DashboardRelay fixture) : IClassFixture<DashboardTests.DashboardRelay>
{
    Relay Relay => fixture.Relay;

    [Fact]
    public async Task A_tenant_signs_in_finds_a_message_by_recipient_opens_its_timeline_and_sees_its_charts()
    {
        var (tenant, key) = await TenantWithKeyAsync("Dashboard tenant");
        var run = Guid.NewGuid().ToString("N")[..8];
        var recipient = $"customer.{run}@sink.test";
        var id = await Relay.SubmitAsync(tenant, [recipient], $"Your invoice {run}");
        await Relay.SubmitAsync(tenant, [$"other.{run}@sink.test"], "Another message");
        await Relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "delivered");
        await Relay.SearchAsync(tenant.TenantId, $"recipient={Uri.EscapeDataString(recipient)}", 1);
        await Eventually.TrueAsync(async () => (await Relay.Api.GetFromJsonAsync<System.Text.Json.JsonElement>($"/v1/tenants/{tenant.TenantId}/stats"))
            .GetProperty("intervals").EnumerateArray().Sum(i => i.GetProperty("groups").EnumerateArray().Sum(g => g.GetProperty("delivered").GetInt64())) >= 2,
            TimeSpan.FromSeconds(30), "the deliveries to be counted");

        using var browser = new Browser(Relay.Api.BaseAddress!);
        browser.SignIn(key);
        Assert.StartsWith("/dashboard/overview", browser.Path);
        Assert.DoesNotContain(key, browser.Driver.Url);
        var cookie = browser.Driver.Manage().Cookies.GetCookieNamed("sx_session");
        Assert.True(cookie is { IsHttpOnly: true }, "the session cookie is HTTP-only");
        Assert.DoesNotContain(key, cookie.Value);

        // The charts are drawn, with the deliveries in them.
        var charts = browser.All("svg.chart");
        Assert.True(charts.Count >= 4, $"{charts.Count} charts");
        Assert.NotEmpty(browser.All("svg.chart polyline"));
        browser.Find("details summary").Click();
        Assert.Contains(browser.All("details table tbody tr"), row => row.FindElements(By.CssSelector("td.num")).Skip(1).FirstOrDefault()?.Text is "1" or "2");
        browser.Screenshot("tenant-overview");

        // Search by recipient.
        browser.Find("nav a[href^='/dashboard/messages']").Click();
        browser.Find("#recipient").SendKeys(recipient);
        browser.Find("#search").Click();
        // Until the search's own page is shown: the page it replaces lists both of the tenant's messages.
        var link = browser.Wait(d => d.Url.Contains("recipient=", StringComparison.Ordinal) && d.FindElements(By.CssSelector("#results tbody tr a")) is { Count: 1 } rows
            ? rows[0]
            : null, "one message found");
        Assert.Contains(recipient, browser.Find("#results tbody").Text);
        browser.Screenshot("tenant-messages");

        // Its timeline: accepted, then delivered with the remote host's reply.
        link.Click();
        var timeline = browser.Find("#timeline tbody").Text;
        Assert.Contains("accepted", timeline);
        Assert.Contains("delivered", timeline);
        Assert.Contains("250", timeline);
        Assert.Contains(id, browser.Find("main").Text);
        browser.Screenshot("tenant-message-timeline");
    }

    [Fact]
    public async Task The_operator_sees_the_queue_depth_of_a_deferring_destination_updated_live()
    {
        var (tenant, _) = await TenantWithKeyAsync("Deferred tenant");
        var id = await Relay.SubmitAsync(tenant, [$"someone.{Guid.NewGuid():N}@busy.test"], "Waiting");
        await Relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "deferred");

        using var browser = new Browser(Relay.Api.BaseAddress!);
        browser.SignIn(Relay.OperatorKey);
        Assert.StartsWith("/dashboard/operator", browser.Path);
        var row = browser.Wait(d => d.FindElements(By.CssSelector("#queue tbody tr")).FirstOrDefault(r => r.Text.Contains("busy.test", StringComparison.Ordinal)),
            "busy.test in the queue");
        var waiting = int.Parse(row.FindElement(By.CssSelector("td.num")).Text.TrimEnd('+'), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(waiting >= 1, $"{waiting} waiting");
        Assert.NotEmpty(browser.All("#members tbody tr"));
        browser.Wait(d => d.FindElements(By.CssSelector("#deferrals tbody tr")).FirstOrDefault(), "the deferral among the last day's", seconds: 30);
        browser.Screenshot("operator");

        // Live: the sections come again without a reload.
        var first = browser.Find("#updated").Text;
        browser.Until(d => d.FindElement(By.Id("updated")).Text != first, "a live update");

        // The Orleans Dashboard, behind the same sign-in.
        browser.Open("/orleans/");
        browser.Until(d => d.PageSource.Contains("Orleans", StringComparison.OrdinalIgnoreCase), "the Orleans Dashboard");
        Assert.StartsWith("/orleans", browser.Path);
        browser.Screenshot("orleans-dashboard", ours: false);
    }

    [Fact]
    public async Task A_tenant_reaches_no_operator_page_and_no_other_tenants_messages()
    {
        var (tenant, key) = await TenantWithKeyAsync("Curious tenant");
        var (other, _) = await TenantWithKeyAsync("Other tenant");
        var theirs = await Relay.SubmitAsync(other, [$"private.{Guid.NewGuid():N}@sink.test"], "Not yours");
        await Relay.WaitForStatusAsync(theirs, TimeSpan.FromSeconds(30), "delivered");

        using var browser = new Browser(Relay.Api.BaseAddress!);
        browser.SignIn(key);
        foreach (var page in new[] { "/dashboard/operator", "/dashboard/tenants", "/orleans/" })
        {
            browser.Open(page);
            browser.Until(d => d.Url.Contains("/dashboard/denied", StringComparison.Ordinal), $"{page} to be refused");
            Assert.Contains("Not allowed", browser.Find("h1").Text);
            browser.AssertAccessible();
        }

        browser.Open($"/dashboard/messages/{theirs}");
        Assert.DoesNotContain("Not yours", browser.Driver.PageSource);
        browser.Open($"/dashboard/messages?tenant={other.TenantId}");
        Assert.DoesNotContain(theirs, browser.Driver.PageSource);
        browser.Open($"/dashboard/overview?tenant={other.TenantId}");
        Assert.DoesNotContain(other.TenantId, browser.Find("main").Text);
        Assert.Contains(tenant.TenantId, browser.Find("header").Text);
    }

    [Fact]
    public async Task Sign_in_refuses_a_wrong_key_keeps_the_session_in_a_strict_cookie_and_ends_it_when_the_key_is_revoked()
    {
        var (tenant, key) = await TenantWithKeyAsync("Cookie tenant");
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
        using var http = new HttpClient(handler) { BaseAddress = Relay.Api.BaseAddress };

        var wrong = await http.PostAsync("/dashboard/sign-in", new FormUrlEncodedContent([new("key", "sxk_not-a-key")]));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));
        Assert.Contains("not valid", await wrong.Content.ReadAsStringAsync());

        var signedIn = await http.PostAsync("/dashboard/sign-in", new FormUrlEncodedContent([new("key", key)]));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var setCookie = signedIn.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(key, setCookie);
        var session = setCookie[..setCookie.IndexOf(';')];

        async Task<HttpResponseMessage> GetAsync(string path, string? origin = null, HttpMethod? method = null)
        {
            using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
            request.Headers.Add("Cookie", session);
            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
            }

            return await http.SendAsync(request);
        }

        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/dashboard/messages")).StatusCode);

        // A form posted from another site is refused, session cookie or not.
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("/dashboard/sign-out", "http://evil.example", HttpMethod.Post)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/dashboard/messages")).StatusCode);

        // Revoking the API key ends the session on the next request.
        var keys = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/api-keys"), HttpStatusCode.OK);
        var keyId = keys.EnumerateArray().Single().GetProperty("id").GetString();
        Assert.True((await Relay.Api.DeleteAsync($"/v1/tenants/{tenant.TenantId}/api-keys/{keyId}")).IsSuccessStatusCode);
        var after = await GetAsync("/dashboard/messages");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/dashboard/sign-in", after.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task A_tenant_sees_its_domains_issues_and_revokes_a_credential_manages_suppressions_and_sees_webhook_attempts()
    {
        var (tenant, key) = await TenantWithKeyAsync("Managing tenant");
        var hook = await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/webhooks",
            new { url = $"https://{DashboardRelay.HooksHost}:{fixture.Receiver.Port}/dashboard", description = "Our events" }), HttpStatusCode.Created);
        var id = await Relay.SubmitAsync(tenant, [$"hooked.{Guid.NewGuid():N}@sink.test"], "Hooked");
        await Relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "delivered");
        var endpointId = hook.GetProperty("id").GetString();
        await Eventually.TrueAsync(async () => (await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/webhooks/{endpointId}/attempts"), HttpStatusCode.OK))
            .GetProperty("items").GetArrayLength() > 0, TimeSpan.FromSeconds(30), "a webhook attempt");

        using var browser = new Browser(Relay.Api.BaseAddress!);
        browser.SignIn(key);

        // Domains: the records to publish and their state.
        browser.Find("nav a[href^='/dashboard/domains']").Click();
        var section = browser.Find($"section[aria-label='{tenant.Domain}']");
        Assert.Contains("verified", section.Text);
        Assert.Contains("dkim", section.Text);
        browser.Screenshot("tenant-domains");

        // Credentials: a new one's password is shown once; revoking it marks it revoked.
        browser.Find("nav a[href^='/dashboard/credentials']").Click();
        browser.Find("#label").SendKeys("dashboard test");
        browser.Find("#issue").Click();
        var username = browser.Find("#issued-username").Text;
        Assert.Equal(43, browser.Find("#issued-secret").Text.Length);
        browser.Screenshot("tenant-credentials");
        browser.Find($"button[aria-label='Revoke {username}']").Click();
        browser.Until(d => d.FindElements(By.CssSelector("#credentials tbody tr")).Any(r => r.Text.Contains(username, StringComparison.Ordinal) && r.Text.Contains("revoked", StringComparison.Ordinal)),
            "the credential to show as revoked");
        Assert.Empty(browser.All("#issued-secret"));

        // Suppressions: add, find, remove.
        var address = $"unwanted.{Guid.NewGuid():N}@sink.test";
        browser.Find("nav a[href^='/dashboard/suppressions']").Click();
        browser.Find("#address").SendKeys(address);
        browser.Find("#add").Click();
        browser.Until(d => d.FindElement(By.Id("suppressions")).Text.Contains(address, StringComparison.Ordinal), "the address to be listed");
        browser.Find("#search").SendKeys("unwanted.");
        browser.Find("form[role='search'] button").Click();
        // The search is a new page: the list is read once it has loaded.
        browser.Until(d => d.Url.Contains("search=unwanted.", StringComparison.Ordinal) && d.FindElement(By.Id("suppressions")).Text.Contains(address, StringComparison.Ordinal),
            "the search to list the address");
        browser.Screenshot("tenant-suppressions");
        browser.Find($"button[aria-label='Remove {address}']").Click();
        browser.Until(d => !d.FindElement(By.Id("suppressions")).Text.Contains(address, StringComparison.Ordinal), "the address to be gone");

        // Webhooks: the endpoint and its attempts.
        browser.Find("nav a[href^='/dashboard/webhooks']").Click();
        var endpoint = browser.Find("main section.card");
        Assert.Contains("Our events", endpoint.Text);
        Assert.NotEmpty(endpoint.FindElements(By.CssSelector("tbody tr")));
        Assert.Contains("204", endpoint.FindElement(By.CssSelector("tbody")).Text);
        browser.Screenshot("tenant-webhooks");
    }

    async Task<(TenantCredential Tenant, string Key)> TenantWithKeyAsync(string name)
    {
        var tenant = await Relay.CreateTenantAsync(name);
        var issued = await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/api-keys", new { label = "dashboard" }), HttpStatusCode.Created);
        return (tenant, issued.GetProperty("key").GetString()!);
    }

    /// <summary>
    /// A relay whose "busy.test" answers every recipient 450, whose counts are written within a second, and which may
    /// send webhooks to a receiver on loopback.
    /// </summary>
    public sealed class DashboardRelay : IAsyncLifetime
    {
        public const string HooksHost = "hooks.dashboard.test";
        readonly Dnsmasq _dns = new();

        internal WebhookReceiver Receiver { get; private set; } = null!;

        internal SmtpSink Sink { get; } = new(System.Net.IPAddress.Loopback);

        internal SmtpSink BusySink { get; } = new(System.Net.IPAddress.Parse("127.0.0.12")) { RcptReply = _ => "450 4.2.1 Mailbox busy, try again later" };

        internal Relay Relay { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Receiver = await WebhookReceiver.StartAsync(HooksHost);
            await _dns.StartAsync([$"--host-record={HooksHost},127.0.0.1"]);
            var azurite = await AzuriteServer.Shared;
            var settings = Relay.DefaultSettings(azurite.ConnectionString);
            settings["Sendarix:Webhooks:AllowPrivateAddresses"] = "true";
            settings["Sendarix:Webhooks:TrustedCaFile"] = TestCa.PemPath;
            settings["Sendarix:Webhooks:EndpointCacheDuration"] = "00:00:00";
            settings["Sendarix:Delivery:Routes:0:Domain"] = "*";
            settings["Sendarix:Delivery:Routes:0:Hosts:0"] = Sink.HostPort;
            settings["Sendarix:Delivery:Routes:1:Domain"] = "busy.test";
            settings["Sendarix:Delivery:Routes:1:Hosts:0"] = BusySink.HostPort;
            settings["Sendarix:Stats:FlushInterval"] = "00:00:00.500";
            Relay = await Relay.StartAsync(settings, _dns);
        }

        public async Task DisposeAsync()
        {
            await Relay.DisposeAsync();
            await Sink.DisposeAsync();
            await BusySink.DisposeAsync();
            await Receiver.DisposeAsync();
            _dns.Dispose();
        }
    }
}
