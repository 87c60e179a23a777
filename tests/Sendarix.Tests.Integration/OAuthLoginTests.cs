using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// SMTP logins with bearer tokens (SASL XOAUTH2 and OAUTHBEARER, RFC 7628) from an OpenID Connect issuer the tenant
/// registered, served on loopback with tokens minted in the test; MailKit and Python's smtplib as the clients.
/// </summary>
public sealed class OAuthLoginTests(OAuthLoginTests.Issuing fixture) : IClassFixture<OAuthLoginTests.Issuing>
{
    const string Audience = "sendarix-smtp";

    readonly JwksServer _issuer = fixture.Issuer;
    readonly LogCapture _logs = fixture.Logs;
    readonly Relay _relay = fixture.Relay;
    readonly TenantCredential _tenant = fixture.Tenant;

    /// <summary>One relay, tenant and issuer for the class: the tenant's registration names the issuer and its credential.</summary>
    public sealed class Issuing : IAsyncLifetime
    {
        readonly SmtpSink _sink = new();

        internal JwksServer Issuer { get; } = new();

        internal LogCapture Logs { get; } = new();

        internal Relay Relay { get; private set; } = null!;

        internal TenantCredential Tenant { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
            settings["Logging:LogLevel:Sendarix"] = "Debug";
            settings["Sendarix:Delivery:Routes:0:Domain"] = "*";
            settings["Sendarix:Delivery:Routes:0:Hosts:0"] = _sink.HostPort;
            Relay = await Relay.StartAsync(settings, logs: Logs);
            Tenant = await Relay.CreateTenantAsync("OAuth tenant");
            var registered = await Relay.ReadAsync(await Relay.Api.PutAsJsonAsync($"/v1/tenants/{Tenant.TenantId}/oauth-issuers/idp", new
            {
                issuer = Issuer.Issuer,
                audience = Audience,
                credentialId = Tenant.CredentialId,
            }), HttpStatusCode.Created);
            Assert.Equal("email", registered.GetProperty("claim").GetString());
        }

        public async Task DisposeAsync()
        {
            await Relay.DisposeAsync();
            await _sink.DisposeAsync();
            Issuer.Dispose();
        }
    }

    [Fact]
    public async Task MailKit_logs_in_with_XOAUTH2_and_sends_as_the_mapped_credential()
    {
        var token = _issuer.Mint(_tenant.Sender, Audience, TimeSpan.FromMinutes(10));
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", _relay.StartTlsPort, SecureSocketOptions.StartTls);
        Assert.Contains("XOAUTH2", client.AuthenticationMechanisms);
        Assert.Contains("OAUTHBEARER", client.AuthenticationMechanisms);
        await client.AuthenticateAsync(new SaslMechanismOAuth2(_tenant.Sender, token));

        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(_tenant.Sender));
        message.To.Add(MailboxAddress.Parse("someone@oauth.test"));
        message.Subject = "sent with a token";
        message.Body = new TextPart("plain") { Text = "hello" };
        var id = Mail.QueuedId(await client.SendAsync(message));
        await client.DisconnectAsync(true);

        var view = await _relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(60), "delivered");
        Assert.Equal(_tenant.TenantId, view.GetProperty("tenantId").GetString());
        Assert.DoesNotContain(_logs.Lines, l => l.Text.Contains(token, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("XOAUTH2")]
    [InlineData("OAUTHBEARER")]
    public async Task Python_logs_in_with_a_valid_token_and_sends(string mechanism)
    {
        var result = await OAuthPythonAsync(mechanism, _tenant.Sender, _issuer.Mint(_tenant.Sender, Audience, TimeSpan.FromMinutes(10)));
        Assert.Equal(235, result.GetProperty("auth")[0].GetInt32());
        Assert.Equal(250, result.GetProperty("data")[0].GetInt32());
        Assert.Contains("XOAUTH2", result.GetProperty("offered").GetString());
    }

    public static TheoryData<string, string> Refusals() => new()
    {
        { "XOAUTH2", "expired" },
        { "OAUTHBEARER", "wrong audience" },
        { "XOAUTH2", "wrong signature" },
        { "OAUTHBEARER", "another issuer" },
        { "XOAUTH2", "another address" },
        { "XOAUTH2", "not a token" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_token_that_is_not_valid_gets_the_error_challenge_then_535(string mechanism, string problem)
    {
        var sender = _tenant.Sender;
        var token = problem switch
        {
            "expired" => _issuer.Mint(sender, Audience, TimeSpan.FromMinutes(-5)),
            "wrong audience" => _issuer.Mint(sender, "someone-else", TimeSpan.FromMinutes(10)),
            // Signed by a key the issuer never published, under the key id it does publish.
            "wrong signature" => _issuer.Mint(sender, Audience, TimeSpan.FromMinutes(10), JwksServer.NewKey(_issuer.Current.KeyId!)),
            "another issuer" => _issuer.Mint(sender, Audience, TimeSpan.FromMinutes(10), issuer: "https://evil.example/"),
            "another address" => _issuer.Mint($"other@{_tenant.Domain}", Audience, TimeSpan.FromMinutes(10)),
            _ => "bm90LWEtand0",
        };
        var result = await OAuthPythonAsync(mechanism, sender, token);
        Assert.Equal(535, result.GetProperty("auth")[0].GetInt32());
        Assert.StartsWith("5.7.8", result.GetProperty("auth")[1].GetString());
        using var challenge = JsonDocument.Parse(result.GetProperty("challenge").GetString()!);
        Assert.Equal("invalid_token", challenge.RootElement.GetProperty("status").GetString());
        Assert.Equal("bearer", challenge.RootElement.GetProperty("schemes").GetString());
        Assert.True(result.GetProperty("data").ValueKind == JsonValueKind.Null);
        Assert.DoesNotContain(_logs.Lines, l => l.Text.Contains(token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_key_rolled_over_at_the_issuer_is_fetched_when_a_token_names_it()
    {
        var first = await OAuthPythonAsync("XOAUTH2", _tenant.Sender, _issuer.Mint(_tenant.Sender, Audience, TimeSpan.FromMinutes(10)));
        Assert.Equal(235, first.GetProperty("auth")[0].GetInt32());
        var fetches = _issuer.Fetches;

        _issuer.RollOver("key-2");
        var rotated = await OAuthPythonAsync("OAUTHBEARER", _tenant.Sender, _issuer.Mint(_tenant.Sender, Audience, TimeSpan.FromMinutes(10)));
        Assert.Equal(235, rotated.GetProperty("auth")[0].GetInt32());
        Assert.True(_issuer.Fetches > fetches, "the relay fetched the issuer's keys again");
    }

    Task<JsonElement> OAuthPythonAsync(string mechanism, string user, string token) =>
        PythonScript.RunAsync("python3", "oauth.py", _relay.StartTlsPort.ToString(), mechanism, user, token, "someone@oauth.test")
            .ContinueWith(t => JsonDocument.Parse(t.Result).RootElement.Clone());
}
