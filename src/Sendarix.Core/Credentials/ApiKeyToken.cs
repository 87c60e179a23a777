namespace Sendarix.Core.Credentials;

/// <summary>
/// A tenant API key as presented: "sxk_" + the credential's username + "_" + its secret. The prefix lets secret
/// scanners recognise a leaked key; the username finds the credential without any index.
/// </summary>
public static class ApiKeyToken
{
    const string Prefix = "sxk_";

    public static string Format(string username, string secret) => $"{Prefix}{username}_{secret}";

    /// <summary>
    /// Splits a presented key; false unless both parts have the form the relay generates
    /// (<see cref="SmtpCredentialSecret.IsWellFormedUsername"/>, <see cref="SmtpCredentialSecret.IsWellFormedSecret"/>),
    /// so what could name no credential is never looked up.
    /// </summary>
    public static bool TryParse(string token, out string username, out string secret)
    {
        username = secret = "";
        if (!token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        // Usernames never contain '_' (Base32), secrets may (Base64url): split at the first one.
        var separator = token.IndexOf('_', Prefix.Length);
        if (separator < 0)
        {
            return false;
        }

        var (name, key) = (token[Prefix.Length..separator], token[(separator + 1)..]);
        if (!SmtpCredentialSecret.IsWellFormedUsername(name) || !SmtpCredentialSecret.IsWellFormedSecret(key))
        {
            return false;
        }

        (username, secret) = (name, key);
        return true;
    }
}
