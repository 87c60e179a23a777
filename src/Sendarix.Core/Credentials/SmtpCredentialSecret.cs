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
