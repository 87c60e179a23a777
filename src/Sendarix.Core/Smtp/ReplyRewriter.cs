using System.Text.RegularExpressions;

namespace Sendarix.Core.Smtp;

/// <summary>
/// Gives every reply the SMTP library writes an RFC 3463 enhanced status code and plain wording. The library's own
/// replies carry none, and some are wrong for a relay ("221" for an idle time-out, "500" for a command out of
/// sequence), so each final reply line is rewritten from its code, its text and the command it answers.
/// </summary>
public static partial class ReplyRewriter
{
    /// <summary>What a draining front-end answers: a client tries again, elsewhere or later.</summary>
    public const string Draining = "421 4.3.2 Service shutting down; try again later";

    /// <summary>Rewrites one reply line (without CRLF) that answers <paramref name="verb"/> (null when unknown).</summary>
    public static string Rewrite(string? verb, string line)
    {
        if (line.Length < 3 || !int.TryParse(line.AsSpan(0, 3), out var code))
        {
            return line;
        }

        if (verb == GuardVerbs.Drain)
        {
            return Draining;
        }

        var text = line.Length > 4 ? line[4..] : "";
        if (line.Length > 3 && line[3] == '-')
        {
            // Continuation lines belong to EHLO, whose lines carry no codes by RFC 2034.
            return line;
        }

        if (text.EndsWith(" 0 retry(ies) remaining.", StringComparison.Ordinal))
        {
            // The library closes the connection after this reply: say so.
            return "421 4.7.0 Too many errors; closing connection";
        }

        text = RetriesSuffix().Replace(text, "");

        if (EnhancedCode().IsMatch(text))
        {
            return $"{code} {text}";
        }

        return (code, verb) switch
        {
            (_, GuardVerbs.LineTooLong) => "500 5.5.6 Line too long",
            (_, GuardVerbs.Proxy) => "502 5.5.1 PROXY is not accepted here",
            (_, GuardVerbs.AuthWithoutTls) => "538 5.7.11 Encryption required for requested authentication mechanism",
            (220, "STARTTLS") => "220 2.0.0 Ready to start TLS",
            (220, _) => line,
            (221, _) when text.StartsWith("Timeout", StringComparison.OrdinalIgnoreCase) => "421 4.4.2 Idle timeout; closing connection",
            (221, _) when text.Contains("cancelled", StringComparison.OrdinalIgnoreCase) => "421 4.3.2 Service shutting down; closing connection",
            (221, "AUTH") => "421 4.7.0 Too many failed authentication attempts; closing connection",
            (221, _) => "221 2.0.0 Bye",
            (235, _) => "235 2.7.0 Authentication successful",
            (250, "MAIL") => "250 2.1.0 Sender OK",
            (250, "RCPT") => "250 2.1.5 Recipient OK",
            (250, "HELO" or "EHLO") => line,
            (250, _) => "250 2.0.0 OK",
            (334, _) => line,
            (354, _) => "354 Start mail input; end with <CRLF>.<CRLF>",
            // The library answers a command out of sequence with "501 expected ...".
            (_, _) when text.StartsWith("expected ", StringComparison.Ordinal) => $"503 5.5.1 Bad sequence of commands ({text})",
            // It answers a command it cannot parse with "502 Unrecognized command", which for MAIL and RCPT means a bad address.
            (502, "MAIL") => "501 5.1.7 Bad sender address syntax",
            (502, "RCPT") => "501 5.1.3 Bad recipient address syntax",
            (500 or 502, _) => "500 5.5.2 Syntax error, command unrecognized",
            (501, _) => "501 5.5.4 Syntax error in parameters or arguments",
            (503, _) => "503 5.5.1 Bad sequence of commands",
            (504, _) => "504 5.5.4 Command parameter not implemented",
            (530, _) => "530 5.7.0 Authentication required",
            (535, _) => "535 5.7.8 Authentication credentials invalid",
            (550, _) => "550 5.7.1 Mailbox unavailable",
            (552, _) => "552 5.3.4 Message size exceeds fixed maximum message size",
            (553, _) => "553 5.1.3 Mailbox name not allowed",
            (554, _) when text.Contains("no valid recipients", StringComparison.OrdinalIgnoreCase) => "554 5.5.1 No valid recipients",
            (554, _) => "554 5.3.0 Transaction failed",
            ( >= 400 and < 500, _) => $"{code} 4.0.0 {text}".TrimEnd(),
            ( >= 500, _) => $"{code} 5.0.0 {text}".TrimEnd(),
            _ => $"{code} 2.0.0 {text}".TrimEnd(),
        };
    }

    [GeneratedRegex(@"^[245]\.\d{1,3}\.\d{1,3}( |$)")]
    private static partial Regex EnhancedCode();

    [GeneratedRegex(@",? \d+ (retry\(ies\)|attempt\(s\)) remaining\.?$")]
    private static partial Regex RetriesSuffix();
}
