using MimeKit;
using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Security;
using Sendarix.Contracts.Domains;
using Sendarix.Core.Buffers;
using Sendarix.Core.Caching;

namespace Sendarix.Delivery.Signing;

/// <summary>
/// Signs outgoing messages with the DKIM key of their From domain (RSA-SHA256, relaxed/relaxed), when that domain
/// is a verified sender domain of the message's tenant. Keys are fetched from the domain grains and kept briefly,
/// so a rotation, or a domain that stops verifying, shows in signing within seconds.
/// </summary>
public sealed class DkimSigning(IGrainFactory grains, TimeProvider time)
{
    // How long a key is reused before the grain is asked again: bounds how soon a rotation or a failed domain shows.
    static readonly TimeSpan KeyLifetime = TimeSpan.FromSeconds(10);

    // The usual set (RFC 6376 5.4.1), each signed once; From is required.
    static readonly HeaderId[] SignedHeaders =
    [
        HeaderId.From, HeaderId.ReplyTo, HeaderId.Subject, HeaderId.Date, HeaderId.To, HeaderId.Cc, HeaderId.MessageId,
        HeaderId.InReplyTo, HeaderId.References, HeaderId.MimeVersion, HeaderId.ContentType, HeaderId.ContentTransferEncoding,
        HeaderId.ListUnsubscribe, HeaderId.ListUnsubscribePost,
    ];

    static readonly FormatOptions Format = CreateFormat();

    readonly ExpiringCache<DkimSigner[]?> _signers = new(time, KeyLifetime);

    /// <summary>The message signed, or unchanged when its From domain has no key the tenant may use.</summary>
    public async Task<ReadOnlyMemory<byte>> SignAsync(string tenantId, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var stream = MemoryStreams.Over(body);
        var headers = await HeaderList.LoadAsync(ParserOptions.Default, stream, cancellationToken);
        var from = headers[HeaderId.From];
        var domain = from is not null && InternetAddressList.TryParse(from, out var addresses) ? addresses.Mailboxes.FirstOrDefault()?.Domain : null;
        if (string.IsNullOrEmpty(domain) || await SignersAsync(tenantId, domain.ToLowerInvariant()) is not { } signers)
        {
            return body;
        }

        // Only mail that is signed pays for a full parse and a rewrite.
        stream.Position = 0;
        var message = await MimeMessage.LoadAsync(stream, cancellationToken);
        foreach (var signer in signers)
        {
            signer.Sign(Format, message, SignedHeaders);
        }

        using var signed = new MemoryStream(body.Length + 1024);
        await message.WriteToAsync(Format, signed, cancellationToken);
        return signed.ToArray();
    }

    Task<DkimSigner[]?> SignersAsync(string tenantId, string domain) => _signers.GetOrAddAsync($"{tenantId}|{domain}", async () =>
    {
        if (await grains.GetGrain<IDomainGrain>(domain).GetSigningKeyAsync(tenantId) is not { } key)
        {
            return null;
        }

        // MimeKit puts each signature on top: sign Ed25519 first so the RSA signature, which every verifier knows, comes first.
        var rsa = Signer(PrivateKeyFactory.CreateKey(key.PrivateKey), key.Domain, key.Selector, DkimSignatureAlgorithm.RsaSha256);
        return key.Ed25519PrivateKey is { } ed && key.Ed25519Selector is { } edSelector
            ? [Signer(new Ed25519PrivateKeyParameters(ed), key.Domain, edSelector, DkimSignatureAlgorithm.Ed25519Sha256), rsa]
            : new[] { rsa };
    });

    static DkimSigner Signer(Org.BouncyCastle.Crypto.AsymmetricKeyParameter key, string domain, string selector, DkimSignatureAlgorithm algorithm) =>
        new(key, domain, selector, algorithm)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };

    static FormatOptions CreateFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        return format;
    }
}
