using System.Security.Cryptography;

namespace Sendarix.Core.Ids;

/// <summary>Tenant ids: "t" and 12 lower-case Base32 characters; safe as storage keys and URL segments.</summary>
public static class TenantIds
{
    public static string New() => "t" + Base32.Encode(RandomNumberGenerator.GetBytes(8))[..12].ToLowerInvariant();

    public static bool IsValid(string? id) =>
        id is { Length: >= 2 and <= 40 } && id.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterLower(c));
}
