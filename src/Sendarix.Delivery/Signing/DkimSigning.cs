using System.Collections.Concurrent;
using System.Security.Cryptography;
using MimeKit;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Sendarix.Contracts.Domains;
using Sendarix.Core.Addressing;
using Sendarix.Core.Buffers;
using Sendarix.Core.Caching;
using Sendarix.Core.Signing;

namespace Sendarix.Delivery.Signing;

/// <summary>
/// Signs outgoing messages with the DKIM key of their From domain (RSA-SHA256, relaxed/relaxed), when that domain
/// is a verified sender domain of the message's tenant. Keys are fetched from the domain grains and kept briefly,
/// so a rotation, or a domain that stops verifying, shows in signing within seconds. The RSA signature is made by
/// the platform's RSA (OpenSSL on Linux), several times faster than a managed implementation, and the message is
/// signed in place: only the signature headers are added.
/// </summary>
public sealed class DkimSigning(IGrainFactory grains, TimeProvider time)
{
    // How long a key is reused before the grain is asked again: bounds how soon a rotation or a failed domain shows.
    static readonly TimeSpan KeyLifetime = TimeSpan.FromSeconds(10);

    // The usual set (RFC 6376 5.4.1), each signed once; From is required.
    static readonly string[] SignedHeaders =
    [
        "From", "Reply-To", "Subject", "Date", "To", "Cc", "Message-ID", "In-Reply-To", "References", "MIME-Version",
        "Content-Type", "Content-Transfer-Encoding", "List-Unsubscribe", "List-Unsubscribe-Post",
    ];

    readonly ExpiringCache<Core.Signing.DkimKey[]?> _keys = new(time, KeyLifetime);

    /// <summary>The message signed, or unchanged when its From domain has no key the tenant may use.</summary>
    public async Task<ReadOnlyMemory<byte>> SignAsync(string tenantId, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var stream = MemoryStreams.Over(body);
        var headers = await HeaderList.LoadAsync(ParserOptions.Default, stream, cancellationToken);
        var from = headers[HeaderId.From];
        var domain = from is not null && InternetAddressList.TryParse(from, out var addresses) ? addresses.Mailboxes.FirstOrDefault()?.Domain : null;
        // Sender domains are kept in their A-label form, whichever way the From header spells them.
        if (!DomainName.TryToAscii(domain, out var ascii) || await KeysAsync(tenantId, ascii) is not { } keys)
        {
            return body;
        }

        return DkimSigner.Sign(body.Span, keys, SignedHeaders, time.GetUtcNow());
    }

    Task<Core.Signing.DkimKey[]?> KeysAsync(string tenantId, string domain) => _keys.GetOrAddAsync($"{tenantId}|{domain}", async () =>
    {
        if (await grains.GetGrain<IDomainGrain>(domain).GetSigningKeyAsync(tenantId) is not { } key)
        {
            return null;
        }

        // The RSA signature, which every verifier knows, goes on top.
        var signing = Rsa(key.Domain, key.Selector, key.PrivateKey);
        return key.Ed25519PrivateKey is { } ed && key.Ed25519Selector is { } edSelector
            ? [signing, Ed25519(key.Domain, edSelector, new Ed25519PrivateKeyParameters(ed))]
            : [signing];
    });

    /// <summary>
    /// RSASSA-PKCS1-v1_5 with SHA-256 (RFC 6376 3.3.1). An RSA object is not documented as safe for concurrent use, so
    /// each concurrent signature takes its own from a small pool.
    /// </summary>
    static Core.Signing.DkimKey Rsa(string domain, string selector, byte[] pkcs8)
    {
        var idle = new ConcurrentBag<RSA>();
        return new(domain, selector, "rsa-sha256", data =>
        {
            if (!idle.TryTake(out var rsa))
            {
                rsa = RSA.Create();
                rsa.ImportPkcs8PrivateKey(pkcs8, out _);
            }

            try
            {
                return rsa.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            }
            finally
            {
                idle.Add(rsa);
            }
        });
    }

    /// <summary>Ed25519-SHA256 (RFC 8463): PureEdDSA over the SHA-256 of the data. .NET has no Ed25519, BouncyCastle does.</summary>
    static Core.Signing.DkimKey Ed25519(string domain, string selector, Ed25519PrivateKeyParameters key) =>
        new(domain, selector, "ed25519-sha256", data =>
        {
            var hash = SHA256.HashData(data);
            var signer = new Ed25519Signer();
            signer.Init(true, key);
            signer.BlockUpdate(hash, 0, hash.Length);
            return signer.GenerateSignature();
        });
}
