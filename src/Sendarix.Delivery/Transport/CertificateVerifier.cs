using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;

namespace Sendarix.Delivery.Transport;

/// <summary>
/// Decides whether a destination's certificate is good enough where TLS must be verified: it must be valid for the
/// host name connected to and chain to a trusted root, either the system's or one of <see cref="DeliveryOptions.TrustedCaFile"/>
/// (a private CA of a corporate smarthost). Opportunistic TLS does not ask.
/// </summary>
public sealed class CertificateVerifier
{
    readonly X509Certificate2Collection _extraRoots = [];

    public CertificateVerifier(IOptions<DeliveryOptions> options)
        : this(options.Value.TrustedCaFile)
    {
    }

    /// <summary>A verifier that trusts the system's roots and those of <paramref name="trustedCaFile"/> (PEM), if any.</summary>
    internal CertificateVerifier(string? trustedCaFile)
    {
        if (trustedCaFile is { Length: > 0 } file)
        {
            _extraRoots.ImportFromPemFile(file);
        }
    }

    /// <summary>Null when the certificate is acceptable, otherwise why not (for the deferral's reason).</summary>
    public string? Check(X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (errors == SslPolicyErrors.None)
        {
            return null;
        }

        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return "no certificate was presented";
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return "the certificate does not name the host";
        }

        if (_extraRoots.Count > 0)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(_extraRoots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            using var leaf = new X509Certificate2(certificate);
            if (chain.Build(leaf))
            {
                return null;
            }
        }

        return "the certificate does not chain to a trusted root";
    }
}
