namespace Sendarix.Core.Addressing;

/// <summary>Syntax rules for the domain part of an address.</summary>
public static class DomainName
{
    /// <summary>True for a host name of LDH labels (or U-labels) or a bracketed address literal.</summary>
    public static bool IsValid(string domain)
    {
        if (domain.Length is 0 or > 253)
        {
            return false;
        }

        if (domain[0] == '[')
        {
            return domain[^1] == ']' && domain.Length > 2 && IsAddressLiteral(domain[1..^1]);
        }

        foreach (var label in domain.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!(c > 0x7f || char.IsAsciiLetterOrDigit(c) || c == '-'))
                {
                    return false;
                }
            }
        }

        return true;
    }

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
