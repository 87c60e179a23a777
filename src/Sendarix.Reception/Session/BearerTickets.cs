using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Sendarix.Reception.Session;

/// <summary>
/// One-time tickets that carry a bearer-token login into the SMTP library, which knows only PLAIN and LOGIN: once the
/// guard has validated a token, it hands the library AUTH PLAIN with a ticket, and <see cref="CredentialAuthenticator"/>
/// redeems it for the credential the token maps to. A ticket lives in this process only (the guard and the library
/// of one session share it), is used once, and lapses after <see cref="Lifetime"/>.
/// </summary>
internal sealed class BearerTickets(TimeProvider time)
{
    /// <summary>Tickets start with this, which no issued username does (those are letters and digits only).</summary>
    public const string Prefix = "bearer.";

    static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    readonly ConcurrentDictionary<string, (string Secret, string CredentialUsername, DateTimeOffset Expires)> _tickets = new(StringComparer.Ordinal);

    /// <summary>A ticket for <paramref name="credentialUsername"/>: the username and password to give the library.</summary>
    public (string User, string Password) Issue(string credentialUsername)
    {
        var now = time.GetUtcNow();
        foreach (var (key, ticket) in _tickets)
        {
            if (ticket.Expires <= now)
            {
                _tickets.TryRemove(key, out _);
            }
        }

        var user = Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        _tickets[user] = (secret, credentialUsername, now + Lifetime);
        return (user, secret);
    }

    /// <summary>The credential a ticket stands for, once; false for anything else (then it is a password login).</summary>
    public bool TryRedeem(string user, string password, out string credentialUsername)
    {
        credentialUsername = "";
        if (!user.StartsWith(Prefix, StringComparison.Ordinal) || !_tickets.TryRemove(user, out var ticket))
        {
            return false;
        }

        if (ticket.Expires <= time.GetUtcNow()
            || !CryptographicOperations.FixedTimeEquals(System.Text.Encoding.ASCII.GetBytes(password), System.Text.Encoding.ASCII.GetBytes(ticket.Secret)))
        {
            return false;
        }

        credentialUsername = ticket.CredentialUsername;
        return true;
    }
}
