using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>
/// A certificate authority made for this test run, which every relay under test trusts (Sendarix:Delivery:TrustedCaFile):
/// destinations whose certificates it issued pass verified TLS; self-signed or misnamed ones do not.
/// </summary>
internal static class TestCa
{
    static readonly Lazy<(X509Certificate2 Ca, string PemPath)> Root = new(Create);

    /// <summary>The CA's certificate as a PEM file.</summary>
    public static string PemPath => Root.Value.PemPath;

    /// <summary>
    /// The system's CA bundle with this CA added, for a relay process's SSL_CERT_FILE: .NET on Linux reads its trusted
    /// roots from there, so the process trusts the test's HTTPS stand-ins the way it trusts a real service.
    /// </summary>
    public static string TrustBundlePath => Bundle.Value;

    static readonly Lazy<string> Bundle = new(() =>
    {
        const string system = "/etc/ssl/certs/ca-certificates.crt";
        var path = Path.ChangeExtension(PemPath, ".bundle.pem");
        File.WriteAllText(path, (File.Exists(system) ? File.ReadAllText(system) + "\n" : "") + File.ReadAllText(PemPath));
        return path;
    });

    /// <summary>A server certificate for these host names, issued by the CA, with its private key.</summary>
    public static X509Certificate2 Issue(params string[] names)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={names[0]}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (IPAddress.TryParse(name, out var address))
            {
                san.AddIpAddress(address);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(12);
        using var issued = request.Create(Root.Value.Ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    static (X509Certificate2, string) Create()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=Sendarix test CA", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var path = Path.Combine(Path.GetTempPath(), "sendarix-tests", $"test-ca-{Guid.NewGuid():N}.pem");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, ca.ExportCertificatePem());
        return (ca, path);
    }
}
