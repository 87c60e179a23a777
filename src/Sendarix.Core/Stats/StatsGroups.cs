using Sendarix.Core.Events;
using Sendarix.Core.Providers;

namespace Sendarix.Core.Stats;

/// <summary>What statistics can be grouped by.</summary>
public enum StatsGrouping
{
    /// <summary>No grouping: the tenant's (or, for operators, the relay's) totals.</summary>
    None,

    Tag,

    /// <summary>The recipient's domain.</summary>
    Domain,

    /// <summary>The mailbox provider of the host that answered (gmail, microsoft, ...).</summary>
    Provider,

    /// <summary>The egress IP the attempt left from.</summary>
    Ip,

    /// <summary>The tenant's sub-tenant the message belongs to.</summary>
    Subtenant,
}

/// <summary>
/// Which groups an event counts in. Every message event counts in the totals, its message's tags, its sub-tenant and
/// its recipient's domain; an attempt's outcome (one with a remote host or an egress IP) also in that host's provider
/// and that IP. Group names are kept short and few: more distinct values than a node keeps in an hour go to "other".
/// </summary>
public static class StatsGroups
{
    /// <summary>The name of the group that collects what is past the limit of distinct values.</summary>
    public const string Other = "(other)";

    public static IEnumerable<(StatsGrouping Grouping, string Group)> Of(RelayEvent e)
    {
        yield return (StatsGrouping.None, "");
        foreach (var tag in e.Message?.Tags ?? [])
        {
            yield return (StatsGrouping.Tag, tag.ToLowerInvariant());
        }

        if (e.Recipient is { } recipient && recipient.LastIndexOf('@') is var at and >= 0)
        {
            yield return (StatsGrouping.Domain, recipient[(at + 1)..].ToLowerInvariant());
        }

        if (ProviderOf(e) is { } provider)
        {
            yield return (StatsGrouping.Provider, provider);
        }

        if (e.EgressIp is { Length: > 0 } ip)
        {
            yield return (StatsGrouping.Ip, ip);
        }

        if (e.Subtenant is { } subtenant)
        {
            yield return (StatsGrouping.Subtenant, subtenant);
        }
    }

    /// <summary>The mailbox provider of the host that answered an attempt (the simulator is its own), or null.</summary>
    public static string? ProviderOf(RelayEvent e) => e.RemoteHost is { Length: > 0 } host
        ? host == "simulator" ? "simulator" : Provider.FromMxHosts([HostOf(host)])
        : null;

    // "mx.example.com:25" or "[192.0.2.1]:25" → the host.
    static string HostOf(string remote) =>
        remote.LastIndexOf(':') is var colon and > 0 && remote.IndexOf(':') == colon ? remote[..colon] : remote;
}
