using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>The management API: operator authentication, problem details, credentials shown once, revocation.</summary>
[Collection(RelayCollection.Name)]
public sealed class ManagementApiTests(RelayFixture fixture)
{
    Relay Relay => fixture.Relay;

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-key-wrong-key-wrong-key-wrong-key")]
    [InlineData("Basic b3BlcmF0b3I6a2V5")]
    public async Task Every_v1_call_without_the_operator_key_gets_401_problem_details(string? authorization)
    {
        using var client = new HttpClient { BaseAddress = Relay.Api.BaseAddress };
        if (authorization is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        }

        foreach (var response in new[]
        {
            await client.GetAsync("/v1/tenants"),
            await client.PostAsJsonAsync("/v1/tenants", new { name = "x" }),
            await client.GetAsync("/v1/messages/tabc-def"),
        })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
    }

    [Fact]
    public async Task Serves_its_openapi_document_with_the_bearer_scheme_and_an_interactive_reference_that_needs_no_cdn()
    {
        using var client = new HttpClient { BaseAddress = Relay.Api.BaseAddress };
        var document = await Relay.ReadAsync(await client.GetAsync("/openapi/v1.json"), HttpStatusCode.OK);
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/v1/tenants/{tenantId}/credentials", out _));
        Assert.True(paths.TryGetProperty("/v1/messages/{messageId}", out _));
        var bearer = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal(("http", "bearer"), (bearer.GetProperty("type").GetString(), bearer.GetProperty("scheme").GetString()));
        Assert.True(document.GetProperty("security")[0].TryGetProperty("Bearer", out _));

        var docs = await client.GetAsync("/docs");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        var page = await docs.Content.ReadAsStringAsync();
        Assert.Contains("openapi/v1.json", page);
        foreach (var script in System.Text.RegularExpressions.Regex.Matches(page, "src=\"([^\"]+)\"").Select(m => m.Groups[1].Value))
        {
            Assert.False(script.StartsWith("http", StringComparison.OrdinalIgnoreCase), $"the reference loads {script} from elsewhere");
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri(new Uri(client.BaseAddress!, "/docs/"), script))).StatusCode);
        }
    }

    [Fact]
    public async Task A_tenant_key_past_its_rate_gets_429_with_retry_after_and_other_keys_go_on()
    {
        var tenant = await Relay.CreateTenantAsync("Rate");
        var other = await Relay.CreateTenantAsync("Rate other");
        async Task<HttpClient> ClientOfAsync(TenantCredential t)
        {
            var issued = await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"/v1/tenants/{t.TenantId}/api-keys", new { label = "rate" }), HttpStatusCode.Created);
            var client = new HttpClient { BaseAddress = Relay.Api.BaseAddress };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issued.GetProperty("key").GetString());
            return client;
        }

        using var busy = await ClientOfAsync(tenant);
        using var calm = await ClientOfAsync(other);
        var responses = await Task.WhenAll(Enumerable.Range(0, 160).Select(_ => busy.GetAsync($"/v1/tenants/{tenant.TenantId}")));
        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        Assert.True(limited[0].Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal("application/problem+json", limited[0].Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await calm.GetAsync($"/v1/tenants/{other.TenantId}")).StatusCode);
        await Eventually.TrueAsync(async () => (await busy.GetAsync($"/v1/tenants/{tenant.TenantId}")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(10),
            "the key to be let through again");
    }

    [Fact]
    public async Task Tenants_are_created_listed_and_found_and_bad_input_gets_problem_details()
    {
        var created = await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync("/v1/tenants", new { name = "Acme" }), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString()!;
        var other = (await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync("/v1/tenants", new { name = "Acme 2" }), HttpStatusCode.Created)).GetProperty("id").GetString()!;
        var listed = await ListTenantsAsync(pageSize: 2);
        Assert.Contains(listed, t => t.GetProperty("id").GetString() == id && t.GetProperty("name").GetString() == "Acme");
        Assert.Contains(listed, t => t.GetProperty("id").GetString() == other);
        var ids = listed.Select(t => t.GetProperty("id").GetString()!).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        Assert.Equal(ids.Distinct().Count(), ids.Count);
        await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{id}"), HttpStatusCode.OK);

        // The list shows each tenant as it is now, not as it was created.
        await Relay.ReadAsync(await Relay.Api.PatchAsJsonAsync($"/v1/tenants/{id}", new { allowSubdomains = true }), HttpStatusCode.OK);
        await Relay.ReadAsync(await Relay.Api.PutAsJsonAsync($"/v1/tenants/{id}/limits", new { messagesPerMinute = 77 }), HttpStatusCode.OK);
        var now = (await ListTenantsAsync(pageSize: 500)).Single(t => t.GetProperty("id").GetString() == id);
        Assert.True(now.GetProperty("allowSubdomains").GetBoolean());
        Assert.Equal(77, now.GetProperty("limits").GetProperty("messagesPerMinute").GetInt32());

        var missing = await Relay.ReadAsync(await Relay.Api.GetAsync("/v1/tenants/tnosuchtenant1"), HttpStatusCode.NotFound);
        Assert.Equal(404, missing.GetProperty("status").GetInt32());
        var invalid = await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync("/v1/tenants", new { name = "" }), HttpStatusCode.BadRequest);
        Assert.True(invalid.GetProperty("errors").TryGetProperty("name", out _));
        var malformed = await Relay.Api.PostAsync("/v1/tenants", new StringContent("{not json", new MediaTypeHeaderValue("application/json")));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        var badCursor = await Relay.ReadAsync(await Relay.Api.GetAsync("/v1/tenants?next=not-a-tenant"), HttpStatusCode.BadRequest);
        Assert.True(badCursor.GetProperty("errors").TryGetProperty("next", out _));
    }

    /// <summary>Every tenant, read page by page as a client would.</summary>
    async Task<List<System.Text.Json.JsonElement>> ListTenantsAsync(int pageSize)
    {
        var all = new List<System.Text.Json.JsonElement>();
        string? next = null;
        do
        {
            var page = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants?limit={pageSize}{(next is null ? "" : $"&next={next}")}"), HttpStatusCode.OK);
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.True(items.Count <= pageSize);
            all.AddRange(items);
            next = page.TryGetProperty("next", out var n) && n.ValueKind == System.Text.Json.JsonValueKind.String ? n.GetString() : null;
        }
        while (next is not null);
        return all;
    }

    [Fact]
    public async Task A_create_call_retried_with_its_idempotency_key_creates_nothing_twice()
    {
        var tenant = await Relay.CreateTenantAsync("Idempotent");
        var key = Guid.NewGuid().ToString();
        async Task<HttpResponseMessage> IssueAsync(string label, string idempotencyKey, HttpClient? client = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/tenants/{tenant.TenantId}/credentials") { Content = JsonContent.Create(new { label }) };
            request.Headers.Add("Idempotency-Key", idempotencyKey);
            return await (client ?? Relay.Api).SendAsync(request);
        }

        var first = await IssueAsync("ci", key);
        var firstBody = await Relay.ReadAsync(first, HttpStatusCode.Created);
        var again = await IssueAsync("ci", key);
        var againBody = await Relay.ReadAsync(again, HttpStatusCode.Created);
        Assert.Equal(firstBody.GetRawText(), againBody.GetRawText());
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        Assert.Equal("true", again.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        var credentials = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/credentials"), HttpStatusCode.OK);
        Assert.Equal(2, credentials.GetArrayLength());

        // The same key for a different request is refused, and changes nothing.
        var reused = await Relay.ReadAsync(await IssueAsync("other", key), (HttpStatusCode)422);
        Assert.Equal(422, reused.GetProperty("status").GetInt32());
        Assert.Equal(2, (await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/credentials"), HttpStatusCode.OK)).GetArrayLength());

        // Keys are the caller's own: the same key from a tenant's API key is a new request.
        var apiKey = (await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/api-keys", new { label = "idem" }), HttpStatusCode.Created))
            .GetProperty("key").GetString();
        using var asTenant = new HttpClient { BaseAddress = Relay.Api.BaseAddress };
        asTenant.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        var byTenant = await Relay.ReadAsync(await IssueAsync("ci", key, asTenant), HttpStatusCode.Created);
        Assert.NotEqual(firstBody.GetProperty("username").GetString(), byTenant.GetProperty("username").GetString());

        // Without a key, each call creates; a malformed key is refused before anything is created.
        var malformed = await Relay.ReadAsync(await IssueAsync("ci", new string('k', 256)), HttpStatusCode.BadRequest);
        Assert.True(malformed.GetProperty("errors").TryGetProperty("Idempotency-Key", out _));
        Assert.Equal(3, (await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/credentials"), HttpStatusCode.OK)).GetArrayLength());
    }

    [Fact]
    public async Task Concurrent_retries_with_one_idempotency_key_create_one_tenant()
    {
        var key = Guid.NewGuid().ToString();
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/tenants") { Content = JsonContent.Create(new { name = "Once " + key }) };
            request.Headers.Add("Idempotency-Key", key);
            var response = await Relay.Api.SendAsync(request);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync(), response.Headers.RetryAfter);
        }));
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        Assert.All(responses.Where(r => r.StatusCode == HttpStatusCode.Conflict), r => Assert.NotNull(r.RetryAfter));
        Assert.Single(responses.Where(r => r.StatusCode == HttpStatusCode.Created).Select(r => r.Body).Distinct());
        Assert.Single(await ListTenantsAsync(pageSize: 500), t => t.GetProperty("name").GetString() == "Once " + key);
    }

    [Fact]
    public async Task A_secret_is_shown_once_and_a_revoked_credential_stops_working_within_seconds()
    {
        var tenant = await Relay.CreateTenantAsync();
        Assert.Equal(43, tenant.Secret.Length);

        var listed = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/credentials"), HttpStatusCode.OK);
        var credential = Assert.Single(listed.EnumerateArray());
        Assert.Equal(tenant.Username, credential.GetProperty("username").GetString());
        Assert.DoesNotContain(tenant.Secret, listed.GetRawText());
        Assert.False(credential.TryGetProperty("secret", out _));

        Assert.True(await CanAuthenticateAsync(tenant));
        var revoke = await Relay.Api.DeleteAsync($"/v1/tenants/{tenant.TenantId}/credentials/{tenant.CredentialId}");
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        await Eventually.TrueAsync(async () => !await CanAuthenticateAsync(tenant), TimeSpan.FromSeconds(10), "the revoked credential to be refused");

        var after = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/credentials"), HttpStatusCode.OK);
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, after[0].GetProperty("revokedAt").ValueKind);
        var again = await Relay.Api.DeleteAsync($"/v1/tenants/{tenant.TenantId}/credentials/nosuchcredential");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task A_tenant_path_never_reaches_another_tenants_message()
    {
        var a = await Relay.CreateTenantAsync("A");
        var b = await Relay.CreateTenantAsync("B");
        var to = $"iso-{Guid.NewGuid():N}@sink.test";
        var (_, text) = await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", a, a.Sender, [to], Mail.Sample(a.Sender, to, "Isolation"));
        var id = Mail.QueuedId(text);

        await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{a.TenantId}/messages/{id}"), HttpStatusCode.OK);
        await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{b.TenantId}/messages/{id}"), HttpStatusCode.NotFound);
        var page = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{b.TenantId}/messages"), HttpStatusCode.OK);
        Assert.Empty(page.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_tenants_messages_are_listed_newest_first_in_pages()
    {
        var tenant = await Relay.CreateTenantAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var to = $"page{i}-{Guid.NewGuid():N}@sink.test";
            var (_, text) = await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", tenant, tenant.Sender, [to], Mail.Sample(tenant.Sender, to, $"Page {i}"));
            ids.Add(Mail.QueuedId(text));
        }

        // Searchable once delivery has taken them.
        await Relay.SearchAsync(tenant.TenantId, "", 3);
        var first = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/messages?limit=2"), HttpStatusCode.OK);
        var next = first.GetProperty("next").GetString();
        Assert.NotNull(next);
        var second = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/messages?limit=2&next={Uri.EscapeDataString(next)}"), HttpStatusCode.OK);
        var listed = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Equal([ids[2], ids[1], ids[0]], listed);
        await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/messages?limit=0"), HttpStatusCode.BadRequest);
    }

    async Task<bool> CanAuthenticateAsync(TenantCredential tenant)
    {
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", Relay.StartTlsPort, SecureSocketOptions.StartTls);
        try
        {
            await client.AuthenticateAsync(tenant.Username, tenant.Secret);
            return true;
        }
        catch (AuthenticationException)
        {
            return false;
        }
    }
}
