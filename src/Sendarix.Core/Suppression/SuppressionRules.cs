using System.Text.RegularExpressions;

namespace Sendarix.Core.Suppression;

/// <summary>
/// Which delivery outcomes put a recipient on the tenant's suppression list. A hard bounce (a 5xx whose enhanced code
/// is 5.1.x: the address does not exist or is unusable) does; so does a recipient that stayed deferred until it
/// expired. Policy and reputation refusals (5.7.x), full mailboxes and other permanent replies do not: they say
/// nothing about the address itself.
/// </summary>
public static partial class SuppressionRules
{
    public const string HardBounce = "hard_bounce";
    public const string Expired = "expired";

    /// <summary>The reason to suppress, or null to leave the recipient alone.</summary>
    public static string? ReasonFor(int code, string? text, bool expired)
    {
        if (expired)
        {
            return Expired;
        }

        return code is >= 500 and < 600 && EnhancedCode().Match(text ?? "") is { Success: true } m && m.Groups[1].Value == "5" && m.Groups[2].Value == "1"
            ? HardBounce
            : null;
    }

    /// <summary>The form addresses are kept in: the domain lower-cased, the local part as given (RFC 5321 2.4).</summary>
    public static string Normalize(string address)
    {
        var at = address.LastIndexOf('@');
        return at < 0 ? address.Trim() : address[..at].Trim() + "@" + address[(at + 1)..].Trim().ToLowerInvariant();
    }

    [GeneratedRegex(@"^\s*([245])\.(\d{1,3})\.\d{1,3}\b")]
    private static partial Regex EnhancedCode();
}
