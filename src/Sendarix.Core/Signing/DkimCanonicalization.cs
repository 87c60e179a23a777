using System.Security.Cryptography;
using System.Text;

namespace Sendarix.Core.Signing;

/// <summary>
/// DKIM's "relaxed" canonicalization (RFC 6376 3.4.2 and 3.4.4), on the bytes of a message with CRLF line ends.
/// </summary>
public static class DkimCanonicalization
{
    /// <summary>
    /// A header field as "name:value\r\n": the name lower-cased, the value unfolded, runs of spaces and tabs made one
    /// space, and no whitespace at the ends of the value.
    /// </summary>
    public static string RelaxedHeader(string field)
    {
        var colon = field.IndexOf(':');
        var name = field[..colon].TrimEnd(' ', '\t').ToLowerInvariant();
        var value = new StringBuilder(field.Length - colon);
        var pendingSpace = false;
        foreach (var c in field.AsSpan(colon + 1))
        {
            if (c is '\r' or '\n')
            {
                continue;
            }

            if (c is ' ' or '\t')
            {
                pendingSpace = value.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                value.Append(' ');
                pendingSpace = false;
            }

            value.Append(c);
        }

        return $"{name}:{value}\r\n";
    }

    /// <summary>
    /// The SHA-256 of the body in relaxed form: each line's whitespace runs made one space and trailing whitespace
    /// removed, empty lines at the end removed, and a non-empty body ending in CRLF.
    /// </summary>
    public static byte[] RelaxedBodyHash(ReadOnlySpan<byte> body)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[Math.Min(body.Length, 4096) + 2];
        var emptyLines = 0;
        while (!body.IsEmpty)
        {
            var end = body.IndexOf("\r\n"u8);
            var raw = end < 0 ? body : body[..end];
            body = end < 0 ? [] : body[(end + 2)..];

            var length = Collapse(raw, ref buffer);
            if (length == 0)
            {
                emptyLines++;
                continue;
            }

            for (; emptyLines > 0; emptyLines--)
            {
                hash.AppendData("\r\n"u8);
            }

            buffer[length] = (byte)'\r';
            buffer[length + 1] = (byte)'\n';
            hash.AppendData(buffer, 0, length + 2);
        }

        return hash.GetHashAndReset();
    }

    // One line in relaxed form into buffer (grown when needed); returns its length.
    static int Collapse(ReadOnlySpan<byte> raw, ref byte[] buffer)
    {
        if (buffer.Length < raw.Length + 2)
        {
            buffer = new byte[raw.Length + 2];
        }

        var length = 0;
        var pendingSpace = false;
        foreach (var b in raw)
        {
            if (b is (byte)' ' or (byte)'\t')
            {
                pendingSpace = true;
                continue;
            }

            if (pendingSpace)
            {
                buffer[length++] = (byte)' ';
                pendingSpace = false;
            }

            buffer[length++] = b;
        }

        return length;
    }
}
