using System.Diagnostics.CodeAnalysis;
using Sendarix.Core.Addressing;

namespace Sendarix.Core.Smtp;

/// <summary>
/// SMTPUTF8 (RFC 6531) for the paths of MAIL and RCPT lines, before the SMTP library parses them: the library keeps a
/// UTF-8 local part as sent but reads the domain as ASCII (every non-ASCII byte becomes '?'), so a domain in UTF-8
/// (U-labels) is written in its A-label form (punycode) first, the one form the relay keys domains by. A non-ASCII
/// path in a transaction that did not ask for SMTPUTF8 is refused, as RFC 6531 section 3.4 says.
/// </summary>
public static class InternationalPath
{
    public const string Parameter = "SMTPUTF8";

    /// <summary>Whether a MAIL line asks for SMTPUTF8 (a parameter of that name, without a value).</summary>
    public static bool AsksForSmtpUtf8(string mailLine)
    {
        var close = mailLine.LastIndexOf('>');
        if (close < 0)
        {
            return false;
        }

        foreach (var p in mailLine.AsSpan(close + 1).Split(' '))
        {
            if (mailLine.AsSpan(close + 1)[p].Equals(Parameter, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The line with its path's domain in A-label form; the line itself when it is all ASCII (nearly every line). False
    /// with <paramref name="error"/> (the reply) for a non-ASCII path without SMTPUTF8, or a domain that is not one.
    /// </summary>
    public static bool TryNormalize(string line, bool smtpUtf8, bool sender, out string forwarded, [NotNullWhen(false)] out string? error)
    {
        forwarded = line;
        error = null;
        if (!line.AsSpan().ContainsAnyExceptInRange('\0', '\x7f'))
        {
            return true;
        }

        var open = line.IndexOf('<');
        var close = open < 0 ? -1 : line.IndexOf('>', open);
        if (close < 0)
        {
            // Not a path the library will take: it answers the syntax error itself.
            return true;
        }

        if (!smtpUtf8)
        {
            error = "553 5.6.7 Non-ASCII addresses need the SMTPUTF8 parameter on MAIL FROM";
            return false;
        }

        var path = line[(open + 1)..close];
        var at = path.LastIndexOf('@');
        if (at < 0)
        {
            return true;
        }

        if (!DomainName.TryToAscii(path[(at + 1)..], out var ascii))
        {
            error = sender ? "501 5.1.7 The sender's domain is not a valid domain name" : "501 5.1.3 The recipient's domain is not a valid domain name";
            return false;
        }

        forwarded = string.Concat(line.AsSpan(0, open + 1), path.AsSpan(0, at + 1), ascii, line.AsSpan(close));
        return true;
    }

    /// <summary>Whether a message's header is all ASCII; one that is not (RFC 6532) needs SMTPUTF8 at the next hop too.</summary>
    public static bool HeaderIsAscii(ReadOnlySpan<byte> message)
    {
        var end = message.IndexOf("\r\n\r\n"u8);
        return (end < 0 ? message : message[..end]).IndexOfAnyInRange((byte)0x80, (byte)0xff) < 0;
    }

    /// <summary>Whether an address has a non-ASCII local part: such mail cannot go to a server without SMTPUTF8.</summary>
    public static bool HasInternationalLocalPart(string address) =>
        address.LastIndexOf('@') is var at and > 0 && address.AsSpan(0, at).ContainsAnyExceptInRange('\0', '\x7f');
}
