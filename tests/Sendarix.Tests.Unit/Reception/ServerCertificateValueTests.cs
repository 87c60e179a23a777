using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Sendarix.Reception.Tls;

namespace Sendarix.Tests.Unit;

/// <summary>The certificate as a setting's value, as a Key Vault certificate's secret holds it.</summary>
public sealed class ServerCertificateValueTests
{
    static X509Certificate2 Make()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=mail.example.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    [Fact]
    public void Reads_the_base64_of_a_pfx_with_its_key()
    {
        using var certificate = Make();
        using var read = ServerCertificate.FromValue(Convert.ToBase64String(certificate.Export(X509ContentType.Pkcs12)), null);
        Assert.Equal(certificate.Thumbprint, read.Thumbprint);
        Assert.True(read.HasPrivateKey);
    }

    [Fact]
    public void Reads_a_password_protected_pfx()
    {
        using var certificate = Make();
        using var read = ServerCertificate.FromValue(Convert.ToBase64String(certificate.Export(X509ContentType.Pkcs12, "s3cret")), "s3cret");
        Assert.Equal(certificate.Thumbprint, read.Thumbprint);
    }

    [Fact]
    public void Reads_pem_with_the_key_after_the_certificate()
    {
        using var certificate = Make();
        var pem = certificate.ExportCertificatePem() + "\n" + certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem();
        using var read = ServerCertificate.FromValue(pem, null);
        Assert.Equal(certificate.Thumbprint, read.Thumbprint);
        Assert.True(read.HasPrivateKey);
    }

    [Fact]
    public void Refuses_what_is_neither()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ServerCertificate.FromValue("not a certificate!", null));
        Assert.Contains("neither PEM text nor the Base64 of a PFX", error.Message, StringComparison.Ordinal);
    }
}
