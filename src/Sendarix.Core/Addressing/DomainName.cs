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

    static bool IsAddressLiteral(string literal)
    {
        var text = literal.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase) ? literal[5..] : literal;
        return System.Net.IPAddress.TryParse(text, out _);
    }
}
