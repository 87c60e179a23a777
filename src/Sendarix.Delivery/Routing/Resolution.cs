using System.Net;
using Sendarix.Contracts.Upstreams;
using Sendarix.Core.Routing;

namespace Sendarix.Delivery.Routing;

/// <summary>
/// Where a domain's mail goes: hosts in the order to try, or why there is nowhere to send it; and the mailbox provider
/// behind the hosts (a <see cref="Core.Providers.Provider"/> key), which decides how replies are read; and, for a
/// tenant's upstream smarthost, its route (the login to use).
/// </summary>
public sealed record Resolution(IReadOnlyList<ResolvedHost> Hosts, TlsPolicy Tls, string? Error, bool Permanent, string Provider = Core.Providers.Provider.Default,
    UpstreamDeliveryRoute? Upstream = null)
{
    public static Resolution Fail(string error, bool permanent) => new([], TlsPolicy.Opportunistic, error, permanent);
}

/// <summary>One destination host with its addresses.</summary>
public sealed record ResolvedHost(string Name, IReadOnlyList<IPAddress> Addresses, int Port);
