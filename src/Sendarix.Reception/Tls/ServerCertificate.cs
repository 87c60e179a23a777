using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Sendarix.Reception.Tls;

/// <summary>
/// The certificate the front-end presents: from a PFX or PEM file when configured, otherwise a self-signed one
/// made on first run and kept, so development clients can pin it across restarts.
/// </summary>
public sealed class ServerCertificate(IOptions<SmtpOptions> options)
{
    readonly Lazy<X509Certificate2> _certificate = new(() => Load(options.Value));

    public X509Certificate2 Certificate => _certificate.Value;

    static X509Certificate2 Load(SmtpOptions o)
    {
        if (!string.IsNullOrEmpty(o.Certificate))
        {
            return FromValue(o.Certificate, o.CertificatePassword);
        }

        if (!string.IsNullOrEmpty(o.CertificatePath))
        {
            var extension = Path.GetExtension(o.CertificatePath).ToLowerInvariant();
            return extension is ".pfx" or ".p12"
                ? X509CertificateLoader.LoadPkcs12FromFile(o.CertificatePath, o.CertificatePassword)
                : X509Certificate2.CreateFromPemFile(o.CertificatePath, o.CertificateKeyPath);
        }

        var path = o.DevelopmentCertificatePath;
        if (File.Exists(path))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, null);
        }

        var generated = Generate(o.ServerName);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllBytes(path, generated.Export(X509ContentType.Pkcs12));
        // The public certificate alone, for clients to trust (e.g. swaks --tls-ca-path, Python's ssl cafile).
        File.WriteAllText(Path.ChangeExtension(path, ".pem"), generated.ExportCertificatePem());
        return X509CertificateLoader.LoadPkcs12FromFile(path, null);
    }

    /// <summary>A certificate with its private key from a setting's value: PEM text, or the Base64 of a PFX.</summary>
    internal static X509Certificate2 FromValue(string value, string? password)
    {
        if (value.TrimStart().StartsWith("-----BEGIN", StringComparison.Ordinal))
        {
            // The first certificate is the leaf, as in a Key Vault PEM; the key is found wherever it stands.
            return X509Certificate2.CreateFromPem(value, value);
        }

        var bytes = new byte[value.Length];
        if (!Convert.TryFromBase64String(value.Trim(), bytes, out var length))
        {
            throw new InvalidOperationException("Sendarix:Smtp:Certificate is neither PEM text nor the Base64 of a PFX.");
        }

        return X509CertificateLoader.LoadPkcs12(bytes.AsSpan(0, length), password);
    }

    static X509Certificate2 Generate(string serverName)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={serverName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(serverName);
        if (serverName != "localhost")
        {
            names.AddDnsName("localhost");
        }

        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddYears(2));
    }
}
