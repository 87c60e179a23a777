namespace Sendarix.Core.Providers;

/// <summary>
/// A mailbox provider, named by the stable lower-case key used in configuration, events and the API. Destinations
/// are grouped by provider from their MX hosts, because a provider answers, throttles and filters the same way for
/// every domain it hosts.
/// </summary>
public static class Provider
{
    public const string Gmail = "gmail";
    public const string Microsoft = "microsoft";
    public const string Yahoo = "yahoo";
    public const string ICloud = "icloud";
    public const string Default = "default";

    /// <summary>
    /// A tenant's upstream smarthost (its SendGrid, SES or Office 365 account): what it answers is about the account
    /// and the route, not about the relay's IPs or the recipient's mailbox provider.
    /// </summary>
    public const string Upstream = "upstream";

    // MX host suffixes of each provider, including the hosted (custom domain) services behind them.
    static readonly (string Suffix, string Provider)[] MxSuffixes =
    [
        ("google.com", Gmail), ("googlemail.com", Gmail),
        ("outlook.com", Microsoft), ("hotmail.com", Microsoft), ("office365.us", Microsoft), ("outlook.cn", Microsoft),
        ("yahoodns.net", Yahoo), ("yahoo.com", Yahoo), ("aol.com", Yahoo),
        ("icloud.com", ICloud), ("me.com", ICloud), ("mac.com", ICloud),
    ];

    /// <summary>The provider whose MX hosts these are (the first host that names one decides), or <see cref="Default"/>.</summary>
    public static string FromMxHosts(IEnumerable<string> hosts)
    {
        foreach (var host in hosts)
        {
            var name = host.TrimEnd('.').ToLowerInvariant();
            foreach (var (suffix, provider) in MxSuffixes)
            {
                if (name == suffix || name.EndsWith("." + suffix, StringComparison.Ordinal))
                {
                    return provider;
                }
            }
        }

        return Default;
    }
}
