using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Sendarix.Core.Credentials;

/// <summary>
/// SMTP credentials are generated, never chosen: a 256-bit random secret cannot be guessed, so one SHA-256 pass
/// is a safe hash and keeps AUTH cheap (a slow password hash would only protect weak, human-made secrets).
/// </summary>
public static class SmtpCredentialSecret
{
    const string UsernamePrefix = "sx";
    const int UsernameBytes = 10;
    const int SecretBytes = 32;

    // Crockford's Base32 in lower case after the prefix; URL-safe Base64 for secrets.
    static readonly SearchValues<char> UsernameAlphabet = SearchValues.Create("0123456789abcdefghjkmnpqrstvwxyz");
    static readonly SearchValues<char> SecretAlphabet = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    static readonly int UsernameLength = UsernamePrefix.Length + (UsernameBytes * 8 + 4) / 5;
    static readonly int SecretLength = (SecretBytes * 8 + 5) / 6;

    /// <summary>A new username: readable, unique, and carrying no tenant information.</summary>
    public static string NewUsername() => $"{UsernamePrefix}{Base32.Encode(RandomNumberGenerator.GetBytes(UsernameBytes)).ToLowerInvariant()}";

    /// <summary>
    /// Whether <paramref name="username"/> has the form <see cref="NewUsername"/> gives every username ("sx" and 16
    /// lower-case Crockford characters). Anything else names no credential, so it is refused before any lookup: a
    /// presented username never becomes a grain or storage key unless it could be one.
    /// </summary>
    public static bool IsWellFormedUsername(string? username) =>
        username is not null && username.Length == UsernameLength && username.StartsWith(UsernamePrefix, StringComparison.Ordinal)
        && username.AsSpan(UsernamePrefix.Length).IndexOfAnyExcept(UsernameAlphabet) < 0;

    /// <summary>Whether <paramref name="secret"/> has the form <see cref="NewSecret"/> gives every secret (43 URL-safe Base64 characters).</summary>
    public static bool IsWellFormedSecret(string? secret) =>
        secret is not null && secret.Length == SecretLength
        && secret.AsSpan().IndexOfAnyExcept(SecretAlphabet) < 0;

    /// <summary>A new secret of 256 random bits, URL-safe Base64 (43 characters), beginning with a letter or digit.</summary>
    public static string NewSecret()
    {
        // A secret beginning with '-' is taken for an option by many command-line tools (Python's argparse among
        // them) when it is passed as a flag's value: such a draw (1 in 32) is drawn again.
        while (true)
        {
            var secret = Base64Url(RandomNumberGenerator.GetBytes(SecretBytes));
            if (char.IsAsciiLetterOrDigit(secret[0]))
            {
                return secret;
            }
        }
    }

    /// <summary>The stored form of a secret.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>Compares a presented secret with a stored hash in constant time.</summary>
    public static bool Verify(string secret, string storedHash)
    {
        var presented = Encoding.ASCII.GetBytes(Hash(secret));
        var stored = Encoding.ASCII.GetBytes(storedHash);
        return CryptographicOperations.FixedTimeEquals(presented, stored);
    }

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
