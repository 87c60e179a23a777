using System.Net;
using Sendarix.Core.Routing;

namespace Sendarix.Delivery.Routing;

/// <summary>
/// Where a domain's mail goes: hosts in the order to try, or why there is nowhere to send it; and the mailbox provider
/// behind the hosts (a <see cref="Core.Providers.Provider"/> key), which decides how replies are read.
/// </summary>
public sealed record Resolution(IReadOnlyList<ResolvedHost> Hosts, TlsPolicy Tls, string? Error, bool Permanent, string Provider = Core.Providers.Provider.Default)
{
    public static Resolution Fail(string error, bool permanent) => new([], TlsPolicy.Opportunistic, error, permanent);
}

/// <summary>One destination host with its addresses.</summary>
public sealed record ResolvedHost(string Name, IReadOnlyList<IPAddress> Addresses, int Port);
