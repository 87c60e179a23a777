using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>TLS on the submission ports: the protocol versions offered and where the certificate comes from.</summary>
public sealed class TlsTests
{
    [Theory]
    [InlineData(SslProtocols.Tls12)]
    [InlineData(SslProtocols.Tls13)]
    public async Task Negotiates_tls_1_2_and_1_3_on_the_implicit_tls_port(SslProtocols protocol)
    {
        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        await using var relay = await Relay.StartAsync(settings);
        var (negotiated, _) = await HandshakeAsync(relay.ImplicitTlsPort, protocol);
        Assert.Equal(protocol, negotiated);
    }

    [Fact]
    public async Task Presents_a_configured_pem_certificate_and_keeps_a_generated_one_across_restarts()
    {
        var dir = Directory.CreateTempSubdirectory("sendarix-cert-").FullName;
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=mail.example.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        await File.WriteAllTextAsync(Path.Combine(dir, "cert.pem"), certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(dir, "key.pem"), key.ExportPkcs8PrivateKeyPem());

        var pem = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        pem["Sendarix:Smtp:CertificatePath"] = Path.Combine(dir, "cert.pem");
        pem["Sendarix:Smtp:CertificateKeyPath"] = Path.Combine(dir, "key.pem");
        await using (var relay = await Relay.StartAsync(pem))
        {
            var (_, presented) = await HandshakeAsync(relay.ImplicitTlsPort, SslProtocols.Tls13);
            Assert.Equal(certificate.Thumbprint, presented);
        }

        var generated = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        string first;
        await using (var relay = await Relay.StartAsync(generated))
        {
            (_, first) = await HandshakeAsync(relay.ImplicitTlsPort, SslProtocols.Tls12);
        }

        await using (var relay = await Relay.StartAsync(generated))
        {
            var (_, second) = await HandshakeAsync(relay.ImplicitTlsPort, SslProtocols.Tls12);
            Assert.Equal(first, second);
        }

        Assert.True(File.Exists(Path.ChangeExtension(generated["Sendarix:Smtp:DevelopmentCertificatePath"], ".pem")));
    }

    static async Task<(SslProtocols Protocol, string Thumbprint)> HandshakeAsync(int port, SslProtocols protocol)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "relay.test", EnabledSslProtocols = protocol });
        return (ssl.SslProtocol, ssl.RemoteCertificate!.GetCertHashString());
    }
}
