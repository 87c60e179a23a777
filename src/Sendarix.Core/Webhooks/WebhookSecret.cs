using System.Security.Cryptography;

namespace Sendarix.Core.Webhooks;

/// <summary>
/// A webhook signing secret in the Standard Webhooks form: "whsec_" and the Base64 of the HMAC key. The relay makes
/// 32-byte keys; receivers' libraries take the whole string.
/// </summary>
public static class WebhookSecret
{
    public const string Prefix = "whsec_";

    /// <summary>The size of the keys the relay makes; the spec allows 24 to 64 bytes.</summary>
    public const int KeyBytes = 32;

    public static byte[] NewKey() => RandomNumberGenerator.GetBytes(KeyBytes);

    public static string Format(ReadOnlySpan<byte> key) => Prefix + Convert.ToBase64String(key);

    /// <summary>The HMAC key of a secret of this form (24 to 64 bytes after the prefix), or false.</summary>
    public static bool TryDecode(string? secret, out byte[] key)
    {
        key = [];
        if (secret is null || !secret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var buffer = new byte[64];
        if (!Convert.TryFromBase64String(secret[Prefix.Length..], buffer, out var length) || length < 24)
        {
            return false;
        }

        key = buffer[..length];
        return true;
    }
}
