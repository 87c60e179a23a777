namespace Sendarix.Core.Addressing;

/// <summary>An envelope address split at its last '@', with the domain lower-cased.</summary>
public sealed record EmailAddress(string LocalPart, string Domain)
{
    public override string ToString() => $"{LocalPart}@{Domain}";

    /// <summary>
    /// Parses an RFC 5321 path ("user@example.com"). Rejects what a relay must not pass on: control characters,
    /// spaces outside quotes, over-long parts, and domains that are not host names or address literals.
    /// </summary>
    public static bool TryParse(string? text, out EmailAddress address)
    {
        address = null!;
        if (string.IsNullOrEmpty(text) || text.Length > 254)
        {
            return false;
        }

        var at = text.LastIndexOf('@');
        if (at <= 0 || at == text.Length - 1)
        {
            return false;
        }

        var local = text[..at];
        var domain = text[(at + 1)..];
        if (local.Length > 64 || !IsValidLocalPart(local) || !DomainName.IsValid(domain))
        {
            return false;
        }

        address = new EmailAddress(local, domain.ToLowerInvariant());
        return true;
    }

    static bool IsValidLocalPart(string local)
    {
        if (local.Length >= 2 && local[0] == '"' && local[^1] == '"')
        {
            return IsQuotedContent(local.AsSpan(1, local.Length - 2));
        }

        if (local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in local)
        {
            // atext from RFC 5322 plus '.'; non-ASCII is allowed for SMTPUTF8 senders.
            var ok = c > 0x7f || char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-/=?^_`{|}~.".Contains(c);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    // RFC 5321 4.1.2: qtextSMTP, or a backslash followed by any printable character.
    static bool IsQuotedContent(ReadOnlySpan<char> content)
    {
        for (var i = 0; i < content.Length; i++)
        {
            var c = content[i];
            if (c == '\\')
            {
                if (++i == content.Length || content[i] < 0x20 || content[i] == 0x7f)
                {
                    return false;
                }
            }
            else if (c < 0x20 || c == 0x7f || c == '"')
            {
                return false;
            }
        }

        return true;
    }
}
