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

    /// <summary>A new username: readable, unique, and carrying no tenant information.</summary>
    public static string NewUsername() => $"{UsernamePrefix}{Base32.Encode(RandomNumberGenerator.GetBytes(10)).ToLowerInvariant()}";

    /// <summary>
    /// Whether a presented username can be one this relay issued ("sx" and 16 lower-case Base32 characters). Anything
    /// else is refused before it becomes a grain or table key, and is never written to a log: a client that puts its
    /// password in the username field must not find it there.
    /// </summary>
    public static bool IsWellFormedUsername(string? username) =>
        username is { Length: 18 } && username.StartsWith(UsernamePrefix, StringComparison.Ordinal) && Base32.IsLowerCase(username.AsSpan(UsernamePrefix.Length));

    /// <summary>Whether a presented secret can be one this relay issued (43 URL-safe Base64 characters).</summary>
    public static bool IsWellFormedSecret(string? secret) =>
        secret is { Length: 43 } && secret.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>A new secret of 256 random bits, URL-safe Base64 (43 characters), beginning with a letter or digit.</summary>
    public static string NewSecret()
    {
        // A secret beginning with '-' is taken for an option by many command-line tools (Python's argparse among
        // them) when it is passed as a flag's value: such a draw (1 in 32) is drawn again.
        while (true)
        {
            var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
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
