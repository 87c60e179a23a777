using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MailKit.Net.Smtp;
using MailKit.Security;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// The relay as it runs in Azure, with no key or secret in its configuration: storage reached by service URI with
/// tokens from the managed identity endpoint (a loopback stand-in, found through IDENTITY_ENDPOINT as on App Service),
/// on an Azurite that checks bearer tokens over HTTPS; the operator key, the DKIM key-encryption key and the SMTP
/// certificate read at start from a Key Vault stand-in that speaks the secrets API and its token challenge. The relay
/// runs as its own process, trusting the stand-ins' CA through SSL_CERT_FILE as it would trust Azure's.
/// </summary>
public sealed class AzureIdentityTests : IAsyncLifetime
{
    const string CertificateName = "smtp-relay-test";
    const string ClientId = "5e1f7a3c-0000-4000-8000-00000000c1d0";
    static readonly TimeSpan Startup = TimeSpan.FromSeconds(120);

    readonly AzuriteServer _azurite = new(oauth: true);
    readonly ManagedIdentityEndpoint _identity = new();
    readonly Dnsmasq _dns = new();
    readonly SmtpSink _sink = new(IPAddress.Loopback);
    readonly string _operatorKey = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
    readonly X509Certificate2 _certificate = TestCa.Issue("relay.test");
    KeyVaultStandIn _vault = null!;

    public async Task InitializeAsync()
    {
        await _azurite.StartAsync();
        await _dns.StartAsync([]);
        _vault = await KeyVaultStandIn.StartAsync();
        _vault.Set("Sendarix--Api--OperatorApiKey", _operatorKey);
        _vault.Set("Sendarix--Domains--KeyEncryptionKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        // As Key Vault keeps a certificate: a secret of the certificate's name holding the PFX with its private key.
        _vault.Set(CertificateName, Convert.ToBase64String(_certificate.Export(X509ContentType.Pkcs12)), "application/x-pkcs12");
        // Another application's secret and a disabled one: neither may be read.
        _vault.Set("billing-db-password", "not-for-the-relay");
        _vault.Set("Sendarix--Smtp--ServerName", "disabled.example", enabled: false);
    }

    public async Task DisposeAsync()
    {
        await _vault.DisposeAsync();
        await _sink.DisposeAsync();
        _dns.Dispose();
        _identity.Dispose();
        await _azurite.DisposeAsync();
        _certificate.Dispose();
    }

    /// <summary>Settings of a relay on the token-checking Azurite and the vault, without a key or a secret among them.</summary>
    Dictionary<string, string?> Settings()
    {
        var settings = Relay.DefaultSettings("");
        settings.Remove("Sendarix:Storage:ConnectionString");
        settings.Remove("Sendarix:Api:OperatorApiKey");
        settings.Remove("Sendarix:Domains:KeyEncryptionKey");
        settings["Sendarix:Storage:TableServiceUri"] = _azurite.TableServiceUri.ToString();
        settings["Sendarix:Storage:QueueServiceUri"] = _azurite.QueueServiceUri.ToString();
        settings["Sendarix:Storage:BlobServiceUri"] = _azurite.BlobServiceUri.ToString();
        settings["Sendarix:KeyVault:Uri"] = _vault.Uri.ToString();
        // No challenge resource matches a vault on 127.0.0.1 (the SDK wants the vault's host under the resource's).
        settings["Sendarix:KeyVault:DisableChallengeResourceVerification"] = "true";
        settings["Sendarix:Smtp:CertificateKeyVaultName"] = CertificateName;
        settings["Sendarix:Dns:Servers:0"] = _dns.Server;
        settings["Sendarix:Delivery:Routes:0:Domain"] = "*";
        settings["Sendarix:Delivery:Routes:0:Hosts:0"] = _sink.HostPort;
        Assert.DoesNotContain(settings, s => s.Value?.Contains("AccountKey", StringComparison.OrdinalIgnoreCase) == true);
        return settings;
    }

    Dictionary<string, string> Environment() => new(_identity.Environment)
    {
        // A user-assigned identity is chosen by its client id, as the deployment sets it.
        ["AZURE_CLIENT_ID"] = ClientId,
        ["SSL_CERT_FILE"] = TestCa.TrustBundlePath,
    };

    [Fact]
    public async Task Accepts_and_delivers_with_storage_by_managed_identity_and_secrets_from_key_vault()
    {
        var settings = Settings();
        await using var relay = RelayProcess.Start(settings, Environment());
        var apiUri = new Uri(settings["Sendarix:Api:Url"]!);
        await relay.WaitReadyAsync(Startup);

        // The operator key is the vault's: the API takes it, and takes no other.
        using var api = new HttpClient { BaseAddress = apiUri };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _operatorKey);
        using (var stranger = new HttpClient { BaseAddress = apiUri })
        {
            stranger.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)));
            Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("/v1/tenants")).StatusCode);
        }

        // A tenant's sender domain gets a DKIM key, kept encrypted with the vault's key-encryption key.
        var tenant = await Relay.CreateTenantAsync(api, _dns, "Managed identity");

        // STARTTLS presents the vault's certificate.
        Assert.Equal(_certificate.Thumbprint, await StartTlsThumbprintAsync(int.Parse(settings["Sendarix:Smtp:StartTlsPort"]!)));

        // A message is accepted (body blob, ledger rows, queue message) and delivered, all on storage reached by token.
        var (code, text) = await PythonSmtp.SubmitAsync(int.Parse(settings["Sendarix:Smtp:StartTlsPort"]!), "starttls", tenant, tenant.Sender,
            ["someone@destination.test"], Mail.Sample(tenant.Sender, "someone@destination.test", "By managed identity"));
        Assert.True(code == 250, $"submission answered {code} {text}\n{relay.Tail()}");
        var messageId = Mail.QueuedId(text);
        await _sink.WaitForMessagesAsync(1, TimeSpan.FromSeconds(60));
        await Eventually.GetAsync(async () => await Relay.ReadAsync(await api.GetAsync($"/v1/messages/{messageId}"), HttpStatusCode.OK),
            m => m.GetProperty("recipients").EnumerateArray().All(r => r.GetProperty("status").GetString() == "delivered"),
            TimeSpan.FromSeconds(60), $"message {messageId} to be recorded delivered");

        // Tokens came from the identity endpoint, for the user-assigned identity, for storage and for the vault.
        var requests = _identity.Requests;
        Assert.All(requests, r => Assert.True(r.HeaderValid && r.ClientId == ClientId, $"token request {r}"));
        Assert.Contains(requests, r => r.Resource?.TrimEnd('/') == "https://storage.azure.com");
        Assert.Contains(requests, r => r.Resource?.TrimEnd('/') == KeyVaultStandIn.Audience);

        // The vault was asked with a token after its challenge; only the relay's secrets were read.
        Assert.True(_vault.Challenged >= 1, "the vault's challenge was never met");
        Assert.True(_vault.Listed >= 1, "the vault's secrets were never listed");
        Assert.Equal(["Sendarix--Api--OperatorApiKey", "Sendarix--Domains--KeyEncryptionKey", CertificateName], _vault.Read.Order());
        Assert.DoesNotContain(_operatorKey, relay.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Azurite_refuses_storage_requests_without_a_valid_token()
    {
        // What the relay's success above rests on: this Azurite takes a storage token, and nothing less.
        using var http = TrustingClient();
        var valid = ManagedIdentityEndpoint.Token("https://storage.azure.com", TimeSpan.FromHours(1));
        var wrongAudience = ManagedIdentityEndpoint.Token(KeyVaultStandIn.Audience, TimeSpan.FromHours(1));
        var expired = ManagedIdentityEndpoint.Token("https://storage.azure.com", TimeSpan.FromMinutes(-5));
        foreach (var (service, uri) in new[]
        {
            ("table", new Uri($"{_azurite.TableServiceUri}/Tables")),
            ("queue", new Uri($"{_azurite.QueueServiceUri}?comp=list")),
            ("blob", new Uri($"{_azurite.BlobServiceUri}?comp=list")),
        })
        {
            Assert.True(await SendAsync(http, uri, valid) == HttpStatusCode.OK, $"{service}: a valid storage token is taken");
            foreach (var (what, token) in new[] { ("no token", (string?)null), ("a vault token", wrongAudience), ("an expired token", expired) })
            {
                var status = await SendAsync(http, uri, token);
                Assert.True(status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"{service} with {what} answered {(int)status}");
            }
        }
    }

    [Fact]
    public async Task Does_not_start_when_the_vault_cannot_be_read()
    {
        // The identity endpoint refuses a wrong IDENTITY_HEADER: no token, so no secrets, so no start.
        var environment = Environment();
        environment["IDENTITY_HEADER"] = "wrong";
        await using var relay = RelayProcess.Start(Settings(), environment);
        var exit = await relay.WaitForExitAsync(Startup);
        Assert.NotEqual(0, exit);
        Assert.Contains("Sendarix:KeyVault: the secrets of", relay.Output, StringComparison.Ordinal);
        Assert.Empty(_vault.Read);
    }

    static async Task<string> StartTlsThumbprintAsync(int port)
    {
        string? thumbprint = null;
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, certificate, _, _) => (thumbprint = certificate?.GetCertHashString()) is not null };
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.StartTls);
        await client.DisconnectAsync(true);
        return thumbprint!;
    }

    static async Task<HttpStatusCode> SendAsync(HttpClient http, Uri uri, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Add("x-ms-version", "2021-12-02");
        request.Headers.Add("x-ms-date", DateTimeOffset.UtcNow.ToString("R"));
        request.Headers.Accept.ParseAdd("application/json;odata=nometadata");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    // Trusts the test CA alone, as the relay process does through SSL_CERT_FILE.
    static HttpClient TrustingClient()
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(TestCa.PemPath));
        return new HttpClient(new SocketsHttpHandler
        {
            SslOptions =
            {
                CertificateChainPolicy = new X509ChainPolicy
                {
                    TrustMode = X509ChainTrustMode.CustomRootTrust,
                    CustomTrustStore = { ca },
                    RevocationMode = X509RevocationMode.NoCheck,
                },
            },
        });
    }
}
