using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Sendarix.Tests.Integration.Infrastructure;
using Xunit.Abstractions;

namespace Sendarix.Tests.Integration;

/// <summary>
/// Input the API cannot take, on every route of its OpenAPI document (so a new route is swept without a change here):
/// hostile values in each path segment, query parameter and JSON field, hostile bodies and Authorization headers,
/// with the operator key and with a tenant's API key. Nothing answers 5xx, a refusal is a 4xx problem, a refused call
/// changes nothing, and no line the relay logs is an error or holds a presented key.
/// </summary>
public sealed class ApiInputSweepTests(ApiInputSweepTests.SweptRelay fixture, ITestOutputHelper output) : IClassFixture<ApiInputSweepTests.SweptRelay>
{
    const int Parallelism = 8;

    // Over-long (past Kestrel's 8 KB request line in a path, and within it), empty, blank, quoted, NUL (as a byte
    // and as the text "%00"), traversal, the characters Table storage refuses in keys, controls, non-ASCII.
    static readonly string[] Hostile =
    [
        new string('a', 10_000), new string('a', 2000), new string('ü', 1000), "", " ", "\t", "\"", "'", "\"quoted\"", "'quoted'",
        "%00", "\0", "a\0b", "../", "../../etc/passwd", "..\\..\\", "a/b", "a\\b", "a#b", "a?b", "*", "%", "%2F",
        "\u0001\u001f\u007f", "\r\n", "\u0085\u009f", "ünï", "ünï.test", "日本語", "\u202etxt", "😀", "a b",
        "-1", "0", "99999999999999999999", "null", "{}", "<x>", "${jndi:ldap://x}", "xn--zz.test", "sxk_" + new string('a', 100),
    ];

    // JSON values that are not strings, for fields of any type.
    static readonly string[] HostileJson =
    [
        "null", "0", "-1", "1.5", "1e400", "99999999999999999999", "true", "{}", "[]", "[null]", "[[]]",
        "\"\\ud800\"", "\"\\u0000\"", "[" + string.Join(",", Enumerable.Repeat("\"192.0.2.0/24\"", 1000)) + "]",
    ];

    static readonly (byte[] Body, string? ContentType)[] HostileBodies = new (string Body, string? ContentType)[]
    {
        ("", "application/json"), ("{not json", "application/json"), ("[]", "application/json"), ("\"x\"", "application/json"),
        ("123", "application/json"), ("null", "application/json"), ("{\"a\":", "application/json"), (new string('[', 10_000), "application/json"),
        ("{\"x\":\"\\ud800\"}", "application/json"), ("{}", "text/plain"), ("{}", "application/xml"), ("{}", null),
        ("{}", "application/json; charset=utf-16"), ("{\"x\":\"" + new string('a', 1_000_000) + "\"}", "application/json"),
        ("{}", "multipart/form-data; boundary=x"),
    }.Select(b => (Encoding.UTF8.GetBytes(b.Body), b.ContentType)).Append(([0xff, 0xfe, 0x7b], "application/json")).ToArray();

    // Random letters: a piece of a hostile key found in a log line can only have come from the key.
    static readonly string Filler = new(Enumerable.Range(0, 10_000).Select(_ => (char)('a' + Random.Shared.Next(26))).ToArray());

    Relay Relay => fixture.Relay;

    [Fact]
    public async Task No_input_on_any_route_answers_5xx_and_a_refused_call_changes_nothing()
    {
        var operations = await OperationsAsync();
        var before = await SnapshotAsync();
        var since = DateTimeOffset.UtcNow;

        var collections = operations.Select(o => o.Template).Where(t => operations.Any(o => o.Template.StartsWith(t + "/", StringComparison.Ordinal))).ToHashSet();
        var answers = new List<Answer>();
        foreach (var (who, key) in new[] { ("operator", Relay.OperatorKey), ("tenant", fixture.TenantKey) })
        {
            var probes = await ProbesAsync(operations, key, who);
            var started = DateTimeOffset.UtcNow;
            answers.AddRange(await SendAsync(probes));
            output.WriteLine($"{who}: {probes.Count} requests in {(DateTimeOffset.UtcNow - started).TotalSeconds:F1} s");
        }

        var after = await SnapshotAsync();
        output.WriteLine(string.Join("\n", answers.GroupBy(a => a.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()} ({g.Count(FromKestrel)} by Kestrel)")));

        Assert.True(answers.All(a => a.Status < 500), Describe("5xx", answers.Where(a => a.Status >= 500)));
        Assert.True(answers.All(IsProblemOrFromKestrel), Describe("a 4xx that is not problem details", answers.Where(a => !IsProblemOrFromKestrel(a))));
        var leaked = answers.Where(a => a.Probe.Who == "tenant" && a.Status < 300 && a.Body.Contains(fixture.Other.TenantId, StringComparison.Ordinal)).ToList();
        Assert.True(leaked.Count == 0, Describe("another tenant's data shown to a tenant's key", leaked));
        var badKeys = answers.Where(a => a.Probe.Kind == "authorization" && a.Status != 401 && !FromKestrel(a)).ToList();
        Assert.True(badKeys.Count == 0, Describe("a hostile key not answered 401", badKeys));

        var changes = Changes(before, after).ToList();
        var touched = Touched(answers, collections);
        var unexplained = changes.Where(k => !touched.Contains(k)).ToList();
        Assert.True(unexplained.Count == 0, $"Changed without a 2xx answer to a call on it: {string.Join(", ", unexplained)}");
        output.WriteLine($"{changes.Count} things changed, each by a call answered 2xx");

        var lines = fixture.Logs.Lines.Where(l => l.Time >= since).ToList();
        var errors = lines.Where(IsTrouble).ToList();
        Assert.True(errors.Count == 0, $"Logged during the sweep:\n{string.Join("\n", errors.Take(10))}");
        var traces = lines.Where(l => l.Exception is not null && l.Level >= LogLevel.Information).ToList();
        Assert.True(traces.Count == 0, $"Logged with a stack trace during the sweep:\n{string.Join("\n", traces.Take(10))}");
        AssertNoKeyLogged(lines);
    }

    [Fact]
    public async Task A_bearer_token_of_ten_thousand_characters_gets_401_and_is_never_logged()
    {
        var token = "sxk_" + Filler;
        using var client = new HttpClient { BaseAddress = Relay.Api.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var since = DateTimeOffset.UtcNow;

        string[] paths = ["/v1/tenants", $"/v1/tenants/{fixture.Tenant.TenantId}", $"/v1/tenants/{fixture.Tenant.TenantId}/domains", "/v1/messages/tabc-def"];
        foreach (var path in paths)
        {
            var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }

        var lines = await Eventually.GetAsync(() => Task.FromResult(fixture.Logs.Lines.Where(l => l.Time >= since).ToList()),
            l => l.Count(IsRefusal) >= paths.Length, TimeSpan.FromSeconds(10), "a refusal logged for each call");
        Assert.Equal(paths.Length, lines.Count(IsRefusal));
        Assert.All(lines.Where(IsRefusal), l => Assert.Equal(LogLevel.Debug, l.Level));
        Assert.DoesNotContain(lines, IsTrouble);
        var holdsToken = Holds(Filler);
        Assert.DoesNotContain(lines, l => holdsToken(l.Text));

        static bool IsRefusal(LogLine l) => l.EventName == "ApiCallRefused";
    }

    [Fact]
    public async Task A_body_over_the_size_limit_is_refused_on_every_route_that_takes_one()
    {
        // Kestrel's limit is 30,000,000 bytes: past it reading the body throws, and that must not become a 500.
        var body = new byte[30_000_001];
        Array.Fill(body, (byte)'a');
        var valid = await ValidValuesAsync();
        var since = DateTimeOffset.UtcNow;
        foreach (var operation in (await OperationsAsync()).Where(o => o.HasBody))
        {
            using var request = new HttpRequestMessage(operation.Method, Fill(operation, p => valid(operation, p))) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(operation.BodyContentTypes[0]);

            // The answer comes before the body is read: without waiting for "100 Continue" the client would still be sending.
            request.Headers.ExpectContinue = true;
            using var response = await Relay.Api.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{operation}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.DoesNotContain(fixture.Logs.Lines.Where(l => l.Time >= since), IsTrouble);
    }

    [Fact]
    public async Task An_internationalised_domain_is_kept_in_its_a_label_form_and_found_by_either_spelling()
    {
        var tenant = await Relay.CreateTenantAsync("IDN");
        var suffix = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()[..4]);
        var unicode = $"ünï{suffix}.test";
        var ascii = new IdnMapping().GetAscii(unicode);
        Assert.StartsWith("xn--", ascii);

        var created = await Relay.Api.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/domains", new { domain = $"ÜNÏ{suffix}.Test." });
        var domain = await Relay.ReadAsync(created, HttpStatusCode.Created);
        Assert.Equal(ascii, domain.GetProperty("domain").GetString());
        Assert.Equal($"/v1/tenants/{tenant.TenantId}/domains/{ascii}", created.Headers.Location?.OriginalString);
        Assert.All(domain.GetProperty("records").EnumerateArray(), r => Assert.EndsWith(ascii, r.GetProperty("name").GetString()));

        // Either spelling, in any case, names the one record; adding it again adds nothing.
        foreach (var spelling in new[] { ascii, ascii.ToUpperInvariant(), unicode, unicode.ToUpperInvariant() })
        {
            var found = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/domains/{Uri.EscapeDataString(spelling)}"), HttpStatusCode.OK);
            Assert.Equal(ascii, found.GetProperty("domain").GetString());
        }

        await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/domains", new { domain = unicode }), HttpStatusCode.OK);
        await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/domains", new { domain = ascii }), HttpStatusCode.OK);

        // What has no A-label form is refused, and nothing is stored.
        // An "xn--" label that does not decode: a random one sometimes does, so the first that does not is taken.
        var badALabel = Enumerable.Range(0, 1000).Select(i => $"xn--zz{suffix}{i}").First(label => !Decodes(label));
        foreach (var refused in new[] { $"ünï\u00a0{suffix}.test", $"😀{suffix}.test", $"{badALabel}.test", $"ünï{suffix}\u0000.test" })
        {
            var response = await Relay.Api.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/domains", new { domain = refused });
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        var list = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/domains"), HttpStatusCode.OK);
        Assert.Equal([tenant.Domain, ascii], list.EnumerateArray().Select(d => d.GetProperty("domain").GetString()).Order(StringComparer.Ordinal));

        // Published and verified under its A-label, the domain may send with its U-label in From, and is signed as the A-label.
        var dkim = domain.GetProperty("records").EnumerateArray().Single(r => r.GetProperty("kind").GetString() == "dkim");
        await Relay.Dns.PublishAsync(ascii, dkim.GetProperty("name").GetString()!, dkim.GetProperty("value").GetString()!);
        var verified = await Relay.ReadAsync(await Relay.Api.PostAsync($"/v1/tenants/{tenant.TenantId}/domains/{Uri.EscapeDataString(unicode)}/verify", null), HttpStatusCode.OK);
        Assert.Equal("verified", verified.GetProperty("status").GetString());

        var to = $"idn-{Guid.NewGuid():N}@sink.test";
        var (code, text) = await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", tenant, $"app@{ascii}", [to], Mail.Sample($"app@{unicode}", to, "IDN"));
        Assert.True(code == 250, $"submission answered {code} {text}");
        await Relay.WaitForStatusAsync(Mail.QueuedId(text), TimeSpan.FromSeconds(30), "delivered");
        var delivered = Assert.Single(fixture.Sink.Messages, m => m.Recipients.Contains(to));
        Assert.Contains($"d={ascii};", delivered.Text[..delivered.Text.IndexOf("\r\nReceived: ", StringComparison.Ordinal)]);
    }

    async Task<IReadOnlyList<ApiOperation>> OperationsAsync()
    {
        var document = await Relay.ReadAsync(await Relay.Api.GetAsync("/openapi/v1.json"), HttpStatusCode.OK);
        var operations = ApiOperation.All(document);
        output.WriteLine($"{operations.Count} operations: {string.Join(", ", operations)}");
        Assert.Contains(operations, o => o.Template == "/v1/tenants/{tenantId}/domains/{domain}" && o.Method == HttpMethod.Get);
        Assert.Contains(operations, o => o.JsonFields.Any(f => f.Name == "allowedNetworks" && f.Type == "array"));
        return operations;
    }

    /// <summary>Every hostile request for every operation, each carrying <paramref name="key"/> unless it is about the key.</summary>
    async Task<List<Probe>> ProbesAsync(IReadOnlyList<ApiOperation> operations, string key, string who)
    {
        var valid = await ValidValuesAsync();
        var probes = new List<Probe>();
        foreach (var operation in operations.Where(o => o.Template.StartsWith("/v1/", StringComparison.Ordinal)))
        {
            string Path(string? hostileParameter = null, string? hostile = null) => Fill(operation, p => p == hostileParameter ? hostile! : valid(operation, p));
            var body = ValidBody(operation);
            Probe Make(string kind, string path, string? query = null, byte[]? content = null, string? contentType = "application/json", string? authorization = null) =>
                new(who, kind, operation, path, query, content ?? body?.Content, content is null ? body?.ContentType : contentType, authorization ?? $"Bearer {key}");

            foreach (var parameter in operation.PathParameters)
            {
                probes.AddRange(Hostile.Select(h => Make($"path {parameter}", Path(parameter, h))));
            }

            foreach (var parameter in operation.QueryParameters)
            {
                probes.AddRange(Hostile.Select(h => Make($"query {parameter}", Path(), $"{parameter}={Uri.EscapeDataString(h)}")));
            }

            foreach (var field in operation.JsonFields)
            {
                var values = Hostile.Select(h => JsonSerializer.Serialize(h)).Concat(HostileJson);
                if (field.Type == "array")
                {
                    values = values.Concat(Hostile.Select(h => $"[{JsonSerializer.Serialize(h)}]"));
                }

                probes.AddRange(values.Select(v => Make($"field {field.Name}", Path(), content: Encoding.UTF8.GetBytes(WithField(operation, field.Name, v)))));
            }

            if (operation.HasBody)
            {
                IEnumerable<string> types = operation.HasJsonBody ? [] : operation.BodyContentTypes;
                probes.AddRange(HostileBodies.Select(b => Make("body", Path(), content: b.Body, contentType: b.ContentType)));
                probes.AddRange(types.SelectMany(t => Hostile.Select(h => Make("body", Path(), content: Encoding.UTF8.GetBytes(h), contentType: t))));
            }

            probes.AddRange(HostileAuthorizations().Select(a => Make("authorization", Path(), authorization: a)));
        }

        return probes;
    }

    IEnumerable<string> HostileAuthorizations()
    {
        var (username, secret) = (fixture.TenantKey[4..fixture.TenantKey.IndexOf('_', 4)], fixture.TenantKey[(fixture.TenantKey.IndexOf('_', 4) + 1)..]);
        return
        [
            "Bearer sxk_" + Filler, "Bearer sxk_" + Filler + "_" + secret, $"Bearer sxk_{username}_{Filler}", "Bearer " + Filler, $"Bearer sxk_{username}_{secret[..^1]}{(secret[^1] == 'a' ? 'b' : 'a')}", $"Bearer sxk_{username}_",
            "Bearer sxk_../../x_y", "Bearer sxk_a/b#c?d_secret", "Bearer sxk_\"quoted\"_'x'", "Bearer sxk_%00_%00", "Bearer sxk_ünï_ünï",
            "Bearer sxk_sx0123456789abcdef_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG", "Bearer ", "Bearer", "Basic b3BlcmF0b3I6a2V5",
            $"Bearer {Relay.OperatorKey}x", $"Bearer {Relay.OperatorKey[..^1]}", "Bearer \u0001", "Bearer ünï",
        ];
    }

    /// <summary>For each route parameter, a value that is valid (and names nothing that a call could harm).</summary>
    async Task<Func<ApiOperation, string, string>> ValidValuesAsync()
    {
        var providers = await Relay.ReadAsync(await Relay.Api.GetAsync("/v1/providers"), HttpStatusCode.OK);
        var pools = await Relay.ReadAsync(await Relay.Api.GetAsync("/v1/pools"), HttpStatusCode.OK);
        var provider = providers[0].GetProperty("provider").GetString()!;
        var ip = pools[0].GetProperty("ips")[0].GetProperty("address").GetString()!;
        return (operation, parameter) => parameter switch
        {
            "tenantId" => fixture.Tenant.TenantId,
            "domain" when operation.Template.StartsWith("/v1/destinations", StringComparison.Ordinal) => "sweep.example",
            "domain" => fixture.Tenant.Domain,
            "messageId" => $"{fixture.Tenant.TenantId}-0000000000",
            "credentialId" or "keyId" => "cr00000000000000",
            "endpointId" => "we_0000000000000000",
            "address" when operation.Template.StartsWith("/v1/ips", StringComparison.Ordinal) => ip,
            "address" => "sweep@example.com",
            "provider" => provider,
            "action" => "warmup",
            "name" => "sweep-route",
            "subtenantId" => "sweep-customer",
            _ => throw new InvalidOperationException($"No valid value known for '{parameter}' of {operation}: add one here."),
        };
    }

    static (byte[] Content, string ContentType)? ValidBody(ApiOperation operation) =>
        operation.HasJsonBody ? (JsonSerializer.SerializeToUtf8Bytes(ValidFields(operation)), "application/json")
        : operation.HasBody ? ([], operation.BodyContentTypes[0])
        : null;

    static Dictionary<string, JsonNode?> ValidFields(ApiOperation operation) => operation.JsonFields.ToDictionary(f => f.Name, f => f switch
    {
        { Name: "name" } => JsonValue.Create("Sweep"),
        { Name: "domain" } => JsonValue.Create("sweep.example"),
        { Name: "address" } => JsonValue.Create("sweep@example.com"),
        { Name: "pool" } => JsonValue.Create(""),
        { Name: "allowedNetworks" } => new JsonArray("192.0.2.0/24"),

        // Of the right form, so other fields' values reach the grain, whose DNS check then refuses it.
        { Name: "url" } => JsonValue.Create("https://sweep.example/hook"),
        { Type: "string" } => JsonValue.Create("sweep"),
        { Type: "boolean" } => JsonValue.Create(false),
        { Type: "integer" } => JsonValue.Create(1),
        { Type: "array" } => new JsonArray(),
        _ => (JsonNode?)null,
    });

    // Written by hand so that a value can be any JSON text, even one a serializer would not write (a lone surrogate).
    static string WithField(ApiOperation operation, string field, string rawValue) =>
        "{" + string.Join(",", ValidFields(operation).Where(f => f.Key != field).Select(f => $"\"{f.Key}\":{f.Value?.ToJsonString() ?? "null"}")
            .Append($"\"{field}\":{rawValue}")) + "}";

    static string Fill(ApiOperation operation, Func<string, string> value) =>
        operation.PathParameters.Aggregate(operation.Template, (path, p) => path.Replace($"{{{p}}}", Uri.EscapeDataString(value(p)), StringComparison.Ordinal));

    async Task<List<Answer>> SendAsync(IReadOnlyList<Probe> probes)
    {
        // Headers go out as UTF-8 so that non-ASCII keys reach the relay rather than being refused by the client.
        using var handler = new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 };
        using var client = new HttpClient(handler) { BaseAddress = Relay.Api.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var answers = new ConcurrentBag<Answer>();
        await Parallel.ForEachAsync(probes, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (probe, ct) =>
        {
            using var request = new HttpRequestMessage(probe.Operation.Method, probe.Path + (probe.Query is null ? "" : "?" + probe.Query));
            if (probe.Content is not null)
            {
                request.Content = new ByteArrayContent(probe.Content);
                if (probe.ContentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", probe.ContentType);
                }
            }

            request.Headers.TryAddWithoutValidation("Authorization", probe.Authorization);
            using var response = await client.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            answers.Add(new Answer(probe, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, response.Headers.Location?.OriginalString));
        });
        return answers.ToList();
    }

    // An error from anywhere, or a warning from what handles a request (the API, ASP.NET Core, grain storage). Other
    // warnings (a silo's health monitor on a busy machine, a DNS lookup for a domain just added) are not about input.
    static bool IsTrouble(LogLine line) => line.Level >= LogLevel.Error
        || line.Level == LogLevel.Warning && new[] { "Sendarix.Api", "Microsoft.AspNetCore", "Orleans.Storage" }.Any(c => line.Category.StartsWith(c, StringComparison.Ordinal));

    static bool FromKestrel(Answer a) => a.Status is 400 or 414 or 431 && a.Body.Length == 0;

    static bool IsProblemOrFromKestrel(Answer a) => a.Status < 400 || a.MediaType == "application/problem+json" || FromKestrel(a);

    static string Describe(string what, IEnumerable<Answer> answers)
    {
        var list = answers.ToList();
        return $"{list.Count} answers were {what}, such as:\n" + string.Join("\n", list.DistinctBy(a => (a.Probe.Operation, a.Probe.Kind)).Take(25));
    }

    /// <summary>What an operator can see of the two tenants and the operator-wide settings, by the path that names each thing.</summary>
    async Task<Dictionary<string, string>> SnapshotAsync()
    {
        var things = new Dictionary<string, string>();
        async Task AddAsync(string path, Func<JsonElement, string> key)
        {
            var list = await Relay.ReadAsync(await Relay.Api.GetAsync(path), HttpStatusCode.OK);
            foreach (var item in list.ValueKind == JsonValueKind.Array ? list.EnumerateArray() : list.GetProperty("items").EnumerateArray())
            {
                things[Canonical(key(item))] = item.GetRawText();
            }
        }

        await AddAsync("/v1/tenants", t => $"/v1/tenants/{t.GetProperty("id").GetString()}");
        foreach (var tenant in new[] { fixture.Tenant.TenantId, fixture.Other.TenantId })
        {
            var at = $"/v1/tenants/{tenant}";
            await AddAsync($"{at}/domains", d => $"{at}/domains/{d.GetProperty("domain").GetString()}");
            await AddAsync($"{at}/credentials", c => $"{at}/credentials/{c.GetProperty("id").GetString()}");
            await AddAsync($"{at}/api-keys", k => $"{at}/api-keys/{k.GetProperty("id").GetString()}");
            await AddAsync($"{at}/suppressions?limit=1000", s => $"{at}/suppressions/{s.GetProperty("address").GetString()}");
            await AddAsync($"{at}/webhooks", w => $"{at}/webhooks/{w.GetProperty("id").GetString()}");
        }

        await AddAsync("/v1/providers", p => $"/v1/providers/{p.GetProperty("provider").GetString()}");
        await AddAsync("/v1/destinations", d => $"/v1/destinations/{d.GetProperty("destination").GetString()}");
        foreach (var pool in (await Relay.ReadAsync(await Relay.Api.GetAsync("/v1/pools"), HttpStatusCode.OK)).EnumerateArray())
        {
            foreach (var ip in pool.GetProperty("ips").EnumerateArray())
            {
                things[Canonical($"/v1/ips/{ip.GetProperty("address").GetString()}")] = ip.GetRawText();
            }
        }

        return things;
    }

    static IEnumerable<string> Changes(Dictionary<string, string> before, Dictionary<string, string> after) =>
        before.Keys.Union(after.Keys).Where(k => before.GetValueOrDefault(k) != after.GetValueOrDefault(k));

    /// <summary>
    /// What the calls answered 2xx could have changed: what one created (its Location), what one was made on (its
    /// path), and what an action below a thing changes ("/limits", "/pause", "/{action}", not a collection's new item).
    /// </summary>
    static HashSet<string> Touched(IEnumerable<Answer> answers, IReadOnlySet<string> collections)
    {
        var touched = new HashSet<string>();
        foreach (var a in answers.Where(a => a.Status is >= 200 and < 300 && a.Probe.Operation.Method != HttpMethod.Get))
        {
            touched.Add(Canonical(a.Probe.Path));
            if (a.Location is { } location)
            {
                touched.Add(Canonical(location));
            }

            if (!collections.Contains(a.Probe.Operation.Template))
            {
                touched.Add(Canonical(a.Probe.Path[..a.Probe.Path.LastIndexOf('/')]));
            }
        }

        return touched;
    }

    // Segments unescaped, lower-cased and in A-label form where they are domains, as the relay names things.
    static string Canonical(string path) => string.Join("/", path.Split('/').Select(s =>
    {
        var text = Uri.UnescapeDataString(s).ToLowerInvariant();
        try
        {
            return new IdnMapping().GetAscii(text);
        }
        catch (ArgumentException)
        {
            return text;
        }
    }));

    void AssertNoKeyLogged(IReadOnlyList<LogLine> lines)
    {
        var holdsKey = Holds(Relay.OperatorKey, fixture.TenantKey[(fixture.TenantKey.IndexOf('_', 4) + 1)..], Filler);
        var leaks = lines.Where(l => holdsKey(l.Text)).ToList();
        Assert.True(leaks.Count == 0, $"A presented key in the log:\n{string.Join("\n", leaks.Take(5))}");
    }

    /// <summary>Whether a text holds any 16 characters in a row of one of <paramref name="keys"/>: enough to give a key away.</summary>
    static Func<string, bool> Holds(params string[] keys)
    {
        const int Length = 16;
        var pieces = keys.SelectMany(k => Enumerable.Range(0, k.Length - Length + 1).Select(i => k.Substring(i, Length))).ToHashSet(StringComparer.Ordinal);
        var lookup = pieces.GetAlternateLookup<ReadOnlySpan<char>>();
        return text => Enumerable.Range(0, Math.Max(0, text.Length - Length + 1)).Any(i => lookup.Contains(text.AsSpan(i, Length)));
    }

    /// <summary>One request: who makes it, what is hostile in it, and what it sends.</summary>
    internal sealed record Probe(string Who, string Kind, ApiOperation Operation, string Path, string? Query, byte[]? Content, string? ContentType, string Authorization)
    {
        public override string ToString()
        {
            static string Short(string? s) => s is null ? "" : s.Length > 80 ? s[..80] + $"…({s.Length})" : s;
            var content = Content is null ? null : Encoding.UTF8.GetString(Content);
            var authorization = Kind == "authorization" ? $" auth={Short(Authorization)}" : "";
            return $"{Who} {Operation.Method} {Short(Path)}{(Query is null ? "" : "?" + Short(Query))} [{Kind}] {Short(ContentType)} {Short(content)}{authorization}";
        }
    }

    internal sealed record Answer(Probe Probe, int Status, string? MediaType, string Body, string? Location)
    {
        public override string ToString() => $"{Status} {MediaType} <- {Probe}: {(Body.Length > 200 ? Body[..200] : Body)}";
    }

    /// <summary>A relay of its own, so that what the sweep may change is seen by no other test, with its log captured.</summary>
    public sealed class SweptRelay : IAsyncLifetime
    {
        internal LogCapture Logs { get; } = new();

        internal SmtpSink Sink { get; } = new(IPAddress.Loopback);

        internal Relay Relay { get; private set; } = null!;

        /// <summary>The tenant whose API key sweeps, and whose ids are the valid values.</summary>
        internal TenantCredential Tenant { get; private set; } = null!;

        /// <summary>A tenant the sweep must never touch.</summary>
        internal TenantCredential Other { get; private set; } = null!;

        internal string TenantKey { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);

            // The API's lines down to Debug, where refusals are logged, so that every line that could leak a key is seen.
            settings["Logging:LogLevel:Default"] = "Information";
            settings["Logging:LogLevel:Sendarix"] = "Debug";
            settings["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug";
            settings["Logging:Console:LogLevel:Default"] = "Warning";
            settings["Sendarix:Delivery:Routes:0:Domain"] = "*";
            settings["Sendarix:Delivery:Routes:0:Hosts:0"] = Sink.HostPort;
            Relay = await Relay.StartAsync(settings, logs: Logs);
            Tenant = await Relay.CreateTenantAsync("Swept");
            Other = await Relay.CreateTenantAsync("Bystander");
            var issued = await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"/v1/tenants/{Tenant.TenantId}/api-keys", new { label = "sweep" }), HttpStatusCode.Created);
            TenantKey = issued.GetProperty("key").GetString()!;
        }

        public async Task DisposeAsync()
        {
            await Relay.DisposeAsync();
            await Sink.DisposeAsync();
        }
    }

    static bool Decodes(string label)
    {
        try
        {
            new IdnMapping().GetUnicode(label);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
