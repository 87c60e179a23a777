using System.Globalization;
using System.Text;

namespace Sendarix.Core.Addressing;

/// <summary>Syntax rules for the domain part of an address.</summary>
public static class DomainName
{
    const int MaxLength = 253;
    const int MaxLabelLength = 63;
    const string AcePrefix = "xn--";

    /// <summary>True for a host name of LDH labels (or U-labels with an A-label form, <see cref="TryToAscii"/>) or a bracketed address literal.</summary>
    public static bool IsValid(string domain)
    {
        if (domain.Length is 0 || domain[^1] == '.')
        {
            return false;
        }

        if (domain[0] == '[')
        {
            return domain[^1] == ']' && domain.Length > 2 && IsAddressLiteral(domain[1..^1]);
        }

        return TryToAscii(domain, out _);
    }

    /// <summary>
    /// The A-label form (RFC 5890) of a host name, lower-cased and without a root dot: "Bücher.example." and
    /// "xn--bcher-kva.example" are both "xn--bcher-kva.example". It is the one form a domain is stored, keyed and
    /// looked up in, so either spelling finds the same record, and it is plain LDH, safe in headers and storage keys.
    /// False for anything else, address literals included.
    /// </summary>
    public static bool TryToAscii(string? domain, out string ascii)
    {
        ascii = "";
        if (string.IsNullOrEmpty(domain))
        {
            return false;
        }

        var name = domain.EndsWith('.') ? domain[..^1] : domain;

        // An A-label has at least as many characters as its U-label has code points, each one or two chars: anything
        // longer cannot be a host name, and is refused before any work is done on it.
        if (name.Length is 0 or > 2 * MaxLength)
        {
            return false;
        }

        var lower = name.ToLowerInvariant();
        if (Ascii.IsValid(lower) && !lower.Contains(AcePrefix, StringComparison.Ordinal))
        {
            if (!IsLdhName(lower))
            {
                return false;
            }

            ascii = lower;
            return true;
        }

        if (!HasOnlyLetterLabels(lower))
        {
            return false;
        }

        // Decoding and encoding again lets an A-label and its U-label meet in one form, and shows what an A-label
        // really holds; a label that is not valid Punycode throws.
        string encoded;
        try
        {
            // An IdnMapping is not documented as safe for concurrent use, and one is cheap.
            var idn = new IdnMapping { UseStd3AsciiRules = true };
            var unicode = idn.GetUnicode(idn.GetAscii(lower)).ToLowerInvariant();
            if (!HasOnlyLetterLabels(unicode))
            {
                return false;
            }

            encoded = idn.GetAscii(unicode).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return false;
        }

        if (!IsLdhName(encoded))
        {
            return false;
        }

        ascii = encoded;
        return true;
    }

    static bool IsLdhName(string domain)
    {
        if (domain.Length is 0 or > MaxLength)
        {
            return false;
        }

        foreach (var label in domain.Split('.'))
        {
            if (label.Length is 0 or > MaxLabelLength || label[0] == '-' || label[^1] == '-'
                || !label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
        }

        return true;
    }

    // .NET without ICU (invariant globalization) encodes any code point, even controls and spaces: outside ASCII a
    // label takes only letters, digits and combining marks (roughly IDNA 2008's PVALID), and does not begin with a mark.
    static bool HasOnlyLetterLabels(string domain)
    {
        foreach (var label in domain.Split('.'))
        {
            var first = true;
            foreach (var rune in label.EnumerateRunes())
            {
                if (rune.IsAscii ? !(Rune.IsLetterOrDigit(rune) || rune.Value == '-') : !IsLabelRune(rune, first))
                {
                    return false;
                }

                first = false;
            }
        }

        return true;
    }

    static bool IsLabelRune(Rune rune, bool first) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.LowercaseLetter or UnicodeCategory.OtherLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.DecimalDigitNumber => true,
        UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark => !first,
        _ => false,
    };

    // RFC 5321 4.1.3: a dotted quad, or "IPv6:" and an IPv6 address (no zone); not the shorthand forms .NET also parses.
    static bool IsAddressLiteral(string literal)
    {
        if (literal.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
        {
            var text = literal[5..];
            return text.Contains(':') && !text.Contains('%')
                && System.Net.IPAddress.TryParse(text, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        }

        var parts = literal.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit) && int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) <= 255);
    }
}
