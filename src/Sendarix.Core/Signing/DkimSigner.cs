using System.Text;

namespace Sendarix.Core.Signing;

/// <summary>
/// One DKIM key as the signer uses it: where its record is (domain, selector), its algorithm tag ("rsa-sha256",
/// "ed25519-sha256") and the function that signs the hashed data with the private half.
/// </summary>
public sealed record DkimKey(string Domain, string Selector, string Algorithm, Func<byte[], byte[]> Sign);

/// <summary>
/// DKIM signing (RFC 6376, relaxed/relaxed) straight on the message bytes: the signatures are put on top and the
/// message itself is left byte for byte as it was, with no parse and no rewrite.
/// </summary>
public static class DkimSigner
{
    // Lines of the signature header are kept near the 78 characters RFC 5322 recommends.
    const int LineLength = 76;

    /// <summary>
    /// The message with one DKIM-Signature per key on top (the first key's on top). Of <paramref name="headers"/>,
    /// those present are signed (the last instance of each, RFC 6376 5.4.2); From must be present.
    /// </summary>
    public static byte[] Sign(ReadOnlySpan<byte> message, IReadOnlyList<DkimKey> keys, IReadOnlyList<string> headers, DateTimeOffset now)
    {
        var split = message.IndexOf("\r\n\r\n"u8);
        var headerBlock = split < 0 ? message : message[..(split + 2)];
        var body = split < 0 ? [] : message[(split + 4)..];
        var fields = Fields(Encoding.Latin1.GetString(headerBlock));

        var signed = new List<string>();
        var canonical = new StringBuilder();
        foreach (var name in headers)
        {
            var field = fields.LastOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));
            if (field.Text is not null)
            {
                signed.Add(name.ToLowerInvariant());
                canonical.Append(DkimCanonicalization.RelaxedHeader(field.Text));
            }
        }

        if (!signed.Contains("from"))
        {
            throw new ArgumentException("The message has no From header to sign.", nameof(message));
        }

        var bodyHash = Convert.ToBase64String(DkimCanonicalization.RelaxedBodyHash(body));
        var signatures = new StringBuilder();
        foreach (var key in keys)
        {
            var header = Header(key, signed, bodyHash, now.ToUnixTimeSeconds());
            var relaxed = DkimCanonicalization.RelaxedHeader(header);
            var data = Encoding.Latin1.GetBytes(canonical + relaxed[..^2]);
            signatures.Append(header).Append(Fold(Convert.ToBase64String(key.Sign(data)), header.Length - header.LastIndexOf('\n'))).Append("\r\n");
        }

        var top = Encoding.Latin1.GetBytes(signatures.ToString());
        var result = new byte[top.Length + message.Length];
        top.CopyTo(result, 0);
        message.CopyTo(result.AsSpan(top.Length));
        return result;
    }

    /// <summary>The header up to and including "b=", already folded: what is signed is exactly what is sent.</summary>
    static string Header(DkimKey key, List<string> signed, string bodyHash, long time)
    {
        var tags = new[]
        {
            "v=1", $"a={key.Algorithm}", "c=relaxed/relaxed", $"d={key.Domain}", $"s={key.Selector}", $"t={time}",
            $"h={string.Join(':', signed)}", $"bh={bodyHash}", "b=",
        };
        var header = new StringBuilder("DKIM-Signature: ");
        var line = header.Length;
        for (var i = 0; i < tags.Length; i++)
        {
            var tag = i < tags.Length - 1 ? tags[i] + ";" : tags[i];
            if (i > 0)
            {
                if (line + 1 + tag.Length > LineLength)
                {
                    header.Append("\r\n\t");
                    line = 1;
                }
                else
                {
                    header.Append(' ');
                    line++;
                }
            }

            header.Append(tag);
            line += tag.Length;
        }

        return header.ToString();
    }

    // The signature's base64, broken into continuation lines (whitespace in b= is ignored by verifiers).
    static string Fold(string signature, int column)
    {
        var folded = new StringBuilder(signature.Length + 16);
        var room = Math.Max(8, LineLength - column);
        for (var i = 0; i < signature.Length;)
        {
            var take = Math.Min(room, signature.Length - i);
            folded.Append(signature, i, take);
            i += take;
            if (i < signature.Length)
            {
                folded.Append("\r\n\t");
                room = LineLength - 1;
            }
        }

        return folded.ToString();
    }

    /// <summary>The header fields of a header block, each with its name and its whole text (folded lines included, CRLF at the end removed).</summary>
    static List<(string Name, string Text)> Fields(string block)
    {
        var fields = new List<(string, string)>();
        var start = 0;
        while (start < block.Length)
        {
            var end = start;
            do
            {
                var eol = block.IndexOf("\r\n", end, StringComparison.Ordinal);
                end = eol < 0 ? block.Length : eol + 2;
            }
            while (end < block.Length && block[end] is ' ' or '\t');

            var text = block[start..end].TrimEnd('\r', '\n');
            var colon = text.IndexOf(':');
            if (colon > 0)
            {
                fields.Add((text[..colon].TrimEnd(' ', '\t'), text));
            }

            start = end;
        }

        return fields;
    }
}
