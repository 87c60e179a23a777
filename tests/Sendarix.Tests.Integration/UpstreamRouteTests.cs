using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// A tenant's mail through its own upstream account: a Postfix instance that takes mail only over STARTTLS with AUTH
/// (Cyrus SASL) and relays it to a sink. Everyone else's mail, and mail the upstream cannot take from a route that
/// falls back, goes direct to the same sink; Postfix's Received line tells the two paths apart.
/// </summary>
public sealed class UpstreamRouteTests(UpstreamRouteTests.Upstream fixture) : IClassFixture<UpstreamRouteTests.Upstream>
{
    const string User = "relayuser";
    const string Password = "upstream-pass-8e1f";
    const string WrongPassword = "wrong-pass-77c2";
    const string ViaUpstream = "by upstream-postfix.test";

    readonly string _dir = fixture.Dir;
    readonly int _port = fixture.Port;
    readonly LogCapture _logs = fixture.Logs;
    readonly SmtpSink _sink = fixture.Sink;
    readonly Relay _relay = fixture.Relay;

    /// <summary>One Postfix upstream, sink and relay for the class; each test has tenants of its own.</summary>
    public sealed class Upstream : IAsyncLifetime
    {
        public string Dir { get; } = Path.Combine(Path.GetTempPath(), "sendarix-tests", $"postfix-upstream-{Guid.NewGuid():N}");

        public int Port { get; } = Ports.Free();

        internal LogCapture Logs { get; } = new();

        internal SmtpSink Sink { get; } = new();

        internal Relay Relay { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await PythonScript.RunAsync("bash", "postfix-upstream.sh", "start", Dir, Port.ToString(), Sink.EndPoint.Port.ToString(), User, Password);
            await Ports.WaitListeningAsync(IPAddress.Loopback, Port, TimeSpan.FromSeconds(30));

            var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
            settings["Logging:LogLevel:Default"] = "Debug";
            settings["Logging:LogLevel:Orleans"] = "Warning";
            settings["Logging:LogLevel:Microsoft"] = "Warning";
            settings["Sendarix:Delivery:Routes:0:Domain"] = "*";
            settings["Sendarix:Delivery:Routes:0:Hosts:0"] = Sink.HostPort;
            Relay = await Relay.StartAsync(settings, logs: Logs);
        }

        public async Task DisposeAsync()
        {
            await Relay.DisposeAsync();
            await PythonScript.RunAsync("bash", "postfix-upstream.sh", "stop", Dir);
            await Sink.DisposeAsync();
            Directory.Delete(Dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_tenants_mail_goes_through_its_upstream_logged_in_and_everyone_elses_goes_direct()
    {
        var tenant = await _relay.CreateTenantAsync("Upstream tenant");
        var other = await _relay.CreateTenantAsync("Direct tenant");
        var created = await PutRouteAsync(tenant.TenantId, "postfix", Password, HttpStatusCode.Created);
        Assert.True(created.GetProperty("hasPassword").GetBoolean());
        Assert.Equal("plain", created.GetProperty("mechanism").GetString());

        // The secret is never shown again: not by a read, nor by the list.
        var read = await _relay.Api.GetStringAsync($"/v1/tenants/{tenant.TenantId}/upstreams/postfix");
        var list = await _relay.Api.GetStringAsync($"/v1/tenants/{tenant.TenantId}/upstreams");
        Assert.DoesNotContain(Password, read + list);

        var viaUpstream = await SendAsync(tenant, "through the upstream");
        var direct = await SendAsync(other, "straight to the destination");

        var upstreamView = await _relay.WaitForStatusAsync(viaUpstream.Id, TimeSpan.FromSeconds(60), "delivered");
        Assert.Contains($"127.0.0.1]:{_port}", Delivered(upstreamView).GetProperty("remoteHost").GetString());
        var directView = await _relay.WaitForStatusAsync(direct.Id, TimeSpan.FromSeconds(60), "delivered");
        Assert.Contains($"]:{_sink.EndPoint.Port}", Delivered(directView).GetProperty("remoteHost").GetString());

        Assert.Contains(ViaUpstream, (await ReceivedAsync(viaUpstream.Marker)).Text);
        Assert.DoesNotContain(ViaUpstream, (await ReceivedAsync(direct.Marker)).Text);
        var log = await File.ReadAllTextAsync(Path.Combine(_dir, "postfix.log"));
        Assert.Contains("sasl_username=relayuser@upstream.test", log);

        // Postfix offers CHUNKING; a text message still goes with DATA (BDAT only where it is needed: binary content).
        // Postfix counts a session's commands when it ends: the relay closes an idle connection within seconds.
        log = await Eventually.GetAsync(() => File.ReadAllTextAsync(Path.Combine(_dir, "postfix.log")),
            text => text.Split('\n').Any(l => l.Contains("disconnect from") && l.Contains("auth=1")), TimeSpan.FromSeconds(30), "the relay's session to end");
        Assert.Contains(log.Split('\n'), l => l.Contains("disconnect from") && l.Contains("auth=1") && l.Contains("data=1"));
        Assert.DoesNotContain("bdat=", log);
        Assert.DoesNotContain(_logs.Lines, l => l.Text.Contains(Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_password_defers_with_the_reason_and_the_mail_goes_once_it_is_fixed()
    {
        var tenant = await _relay.CreateTenantAsync("Wrong password tenant");
        await PutRouteAsync(tenant.TenantId, "postfix", WrongPassword, HttpStatusCode.Created);

        // Submitted by a client outside .NET.
        var marker = Guid.NewGuid().ToString("N");
        var id = await _relay.SubmitAsync(tenant, [$"user@{marker}.test"], marker);
        var view = await _relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(60), "deferred");
        var deferred = view.GetProperty("events").EnumerateArray().First(e => e.GetProperty("type").GetString() == "deferred");
        var reason = deferred.GetProperty("reply").GetString()!;
        Assert.Contains("refused the login of upstream route postfix as relayuser", reason);
        Assert.Contains("535", reason);
        Assert.DoesNotContain(WrongPassword, reason);
        Assert.DoesNotContain(_sink.Messages, m => m.Text.Contains(marker));

        // Deferred again and again while the password is wrong, never bounced.
        var again = await Eventually.GetAsync(() => _relay.GetMessageAsync(id),
            m => m.GetProperty("events").EnumerateArray().Count(e => e.GetProperty("type").GetString() == "deferred") >= 2,
            TimeSpan.FromSeconds(60), "a second deferral");
        Assert.DoesNotContain(again.GetProperty("events").EnumerateArray(), e => e.GetProperty("type").GetString() is "bounced" or "failed");

        // The tenant fixes the password (only the secret changes); the kept message goes on its next retry.
        await PutRouteAsync(tenant.TenantId, "postfix", Password, HttpStatusCode.OK);
        await _relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(60), "delivered");
        Assert.Contains(ViaUpstream, (await ReceivedAsync(marker)).Text);
        Assert.DoesNotContain(_logs.Lines, l => l.Text.Contains(WrongPassword, StringComparison.Ordinal) || l.Text.Contains(Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_route_for_one_sender_domain_falls_back_to_direct_delivery_while_its_upstream_is_down()
    {
        var tenant = await _relay.CreateTenantAsync("Failover tenant");
        var closed = Ports.Free();
        await ReadAsync(await _relay.Api.PutAsJsonAsync($"/v1/tenants/{tenant.TenantId}/upstreams/down", new
        {
            hosts = new[] { $"127.0.0.1:{closed}" },
            tls = "required",
            mechanism = "login",
            username = User,
            password = Password,
            senderDomains = new[] { tenant.Domain.ToUpperInvariant() },
            fallbackToDirect = true,
        }), HttpStatusCode.Created);

        var sent = await SendAsync(tenant, "fails over");
        var view = await _relay.WaitForStatusAsync(sent.Id, TimeSpan.FromSeconds(60), "delivered");
        Assert.Contains($"]:{_sink.EndPoint.Port}", Delivered(view).GetProperty("remoteHost").GetString());
        Assert.DoesNotContain(ViaUpstream, (await ReceivedAsync(sent.Marker)).Text);
        Assert.Contains(_logs.Lines, l => l.EventName == "UpstreamFellBackToDirect" && l.Text.Contains("route down"));
    }

    [Fact]
    public async Task An_XOAUTH2_route_logs_in_with_a_client_credentials_token_and_a_refused_secret_defers()
    {
        const string Mailbox = "relay@contoso.test";
        using var tokens = new OAuthTokenEndpoint("app-1", "client-secret-1");
        await using var office = new SmtpSink { OfferStartTls = true, XOAuth2 = (user, token) => user == Mailbox && tokens.Issued(token) };
        var tenant = await _relay.CreateTenantAsync("XOAUTH2 tenant");
        async Task PutAsync(string secret, HttpStatusCode expected) =>
            await ReadAsync(await _relay.Api.PutAsJsonAsync($"/v1/tenants/{tenant.TenantId}/upstreams/office", new
            {
                preset = "office365",
                hosts = new[] { office.HostPort },
                tls = "required",
                username = Mailbox,
                password = secret,
                tokenUrl = tokens.Url,
                clientId = tokens.ClientId,
            }), expected);

        await PutAsync("client-secret-1", HttpStatusCode.Created);
        var first = await SendAsync(tenant, "app-only token");
        await _relay.WaitForStatusAsync(first.Id, TimeSpan.FromSeconds(60), "delivered");
        Assert.Contains(office.Messages, m => m.Text.Contains(first.Marker) && m.OverTls);
        Assert.Equal(Mailbox, Assert.Single(office.Logins));
        Assert.Equal("https://outlook.office365.com/.default", Assert.Single(tokens.Scopes));

        // The secret is rotated at the identity provider and its tokens revoked: the upstream refuses the old token, and
        // the token endpoint the old secret. Deferred with that reason, never bounced; sent once the route has the new secret.
        tokens.ClientSecret = "client-secret-2";
        tokens.RevokeAll();
        var second = await SendAsync(tenant, "refused secret");
        var view = await Eventually.GetAsync(() => _relay.GetMessageAsync(second.Id),
            m => m.GetProperty("events").EnumerateArray().Any(e => e.GetProperty("reply").GetString()!.Contains("token endpoint answered 401 invalid_client")),
            TimeSpan.FromSeconds(60), "a deferral naming the token endpoint's refusal");
        Assert.All(view.GetProperty("events").EnumerateArray().Skip(1), e => Assert.Equal("deferred", e.GetProperty("type").GetString()));
        Assert.DoesNotContain(office.Messages, m => m.Text.Contains(second.Marker));
        await PutAsync("client-secret-2", HttpStatusCode.OK);
        await _relay.WaitForStatusAsync(second.Id, TimeSpan.FromSeconds(60), "delivered");
        Assert.Contains(office.Messages, m => m.Text.Contains(second.Marker));
        Assert.DoesNotContain(_logs.Lines, l => l.Text.Contains("client-secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Routes_are_checked_and_kept_per_tenant()
    {
        var tenant = await _relay.CreateTenantAsync("Checked tenant");
        var problems = await ReadAsync(await _relay.Api.PutAsJsonAsync($"/v1/tenants/{tenant.TenantId}/upstreams/ses",
            new { preset = "amazon-ses", username = "AKIAEXAMPLE", password = "x", tls = "opportunistic" }), HttpStatusCode.BadRequest);
        var errors = problems.GetProperty("errors");
        Assert.True(errors.TryGetProperty("region", out _));
        Assert.True(errors.TryGetProperty("tls", out _), "a login over opportunistic TLS is refused");

        var ses = await ReadAsync(await _relay.Api.PutAsJsonAsync($"/v1/tenants/{tenant.TenantId}/upstreams/ses",
            new { preset = "amazon-ses", region = "eu-west-1", username = "AKIAEXAMPLE", password = "secret-key" }), HttpStatusCode.Created);
        Assert.Equal("email-smtp.eu-west-1.amazonaws.com:587", ses.GetProperty("hosts")[0].GetString());
        Assert.Equal("verify", ses.GetProperty("tls").GetString());
        Assert.Equal(60, ses.GetProperty("messagesPerMinute").GetInt32());

        var presets = await ReadAsync(await _relay.Api.GetAsync("/v1/upstream-presets"), HttpStatusCode.OK);
        Assert.Contains(presets.EnumerateArray(), p => p.GetProperty("key").GetString() == "sendgrid" && p.GetProperty("username").GetString() == "apikey");

        // Another tenant's key sees none of it.
        var other = await _relay.CreateTenantAsync("Other tenant");
        using var otherApi = new HttpClient { BaseAddress = _relay.Api.BaseAddress };
        var key = await ReadAsync(await _relay.Api.PostAsJsonAsync($"/v1/tenants/{other.TenantId}/api-keys", new { label = "t" }), HttpStatusCode.Created);
        otherApi.DefaultRequestHeaders.Authorization = new("Bearer", key.GetProperty("key").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await otherApi.GetAsync($"/v1/tenants/{tenant.TenantId}/upstreams/ses")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherApi.DeleteAsync($"/v1/tenants/{tenant.TenantId}/upstreams/ses")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await _relay.Api.DeleteAsync($"/v1/tenants/{tenant.TenantId}/upstreams/ses")).StatusCode);
        Assert.Equal(0, (await ReadAsync(await _relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/upstreams"), HttpStatusCode.OK)).GetArrayLength());
    }

    async Task<JsonElement> PutRouteAsync(string tenantId, string name, string password, HttpStatusCode expected) =>
        await ReadAsync(await _relay.Api.PutAsJsonAsync($"/v1/tenants/{tenantId}/upstreams/{name}", new
        {
            hosts = new[] { $"127.0.0.1:{_port}" },
            tls = "required",
            mechanism = "plain",
            username = User,
            password,
        }), expected);

    async Task<(string Id, string Marker)> SendAsync(TenantCredential tenant, string subject)
    {
        var marker = Guid.NewGuid().ToString("N");
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", _relay.StartTlsPort, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync(tenant.Username, tenant.Secret);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(tenant.Sender));
        message.To.Add(MailboxAddress.Parse($"user@{marker}.test"));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = $"marker {marker}" };
        var id = Mail.QueuedId(await client.SendAsync(message));
        await client.DisconnectAsync(true);
        return (id, marker);
    }

    /// <summary>The one message at the sink with this marker (the upstream hands it over a moment after it says 250).</summary>
    async Task<ReceivedMail> ReceivedAsync(string marker) =>
        (await Eventually.GetAsync(() => Task.FromResult(_sink.Messages.Where(m => m.Text.Contains(marker)).ToList()), m => m.Count > 0,
            TimeSpan.FromSeconds(30), $"the message {marker} at the sink")).Single();

    static JsonElement Delivered(JsonElement view) => view.GetProperty("events").EnumerateArray().Last(e => e.GetProperty("type").GetString() == "delivered");

    static Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected) => Relay.ReadAsync(response, expected);
}
