using System.Net;
using Sendarix.Core.Routing;

namespace Sendarix.Delivery.Routing;

/// <summary>Where a domain's mail goes: hosts in the order to try, or why there is nowhere to send it.</summary>
public sealed record Resolution(IReadOnlyList<ResolvedHost> Hosts, TlsPolicy Tls, string? Error, bool Permanent)
{
    public static Resolution Fail(string error, bool permanent) => new([], TlsPolicy.Opportunistic, error, permanent);
}

/// <summary>One destination host with its addresses.</summary>
public sealed record ResolvedHost(string Name, IReadOnlyList<IPAddress> Addresses, int Port);
