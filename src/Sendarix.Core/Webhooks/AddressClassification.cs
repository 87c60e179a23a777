using System.Net;
using System.Net.Sockets;

namespace Sendarix.Core.Webhooks;

/// <summary>
/// Classifies addresses a webhook might be sent to, so a tenant cannot point the relay at its own network, the host
/// itself or a cloud metadata service. IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4) are
/// judged by that address. Documentation ranges (192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32) are routed
/// nowhere, so they reach nothing and are left public.
/// </summary>
public static class AddressClassification
{
    static readonly (IPNetwork Network, AddressScope Scope)[] V4 =
    [
        (IPNetwork.Parse("0.0.0.0/8"), AddressScope.Reserved),
        (IPNetwork.Parse("10.0.0.0/8"), AddressScope.Private),
        (IPNetwork.Parse("100.64.0.0/10"), AddressScope.SharedAddressSpace),
        (IPNetwork.Parse("127.0.0.0/8"), AddressScope.Loopback),
        (IPNetwork.Parse("169.254.0.0/16"), AddressScope.LinkLocal),
        (IPNetwork.Parse("172.16.0.0/12"), AddressScope.Private),
        (IPNetwork.Parse("192.0.0.0/24"), AddressScope.Reserved),
        (IPNetwork.Parse("192.168.0.0/16"), AddressScope.Private),
        (IPNetwork.Parse("198.18.0.0/15"), AddressScope.Reserved),
        (IPNetwork.Parse("224.0.0.0/4"), AddressScope.Multicast),
        (IPNetwork.Parse("240.0.0.0/4"), AddressScope.Reserved),
    ];

    static readonly (IPNetwork Network, AddressScope Scope)[] V6 =
    [
        (IPNetwork.Parse("64:ff9b:1::/48"), AddressScope.Private),
        (IPNetwork.Parse("100::/64"), AddressScope.Reserved),
        (IPNetwork.Parse("2001::/32"), AddressScope.Reserved),
        (IPNetwork.Parse("2001:2::/48"), AddressScope.Reserved),
        (IPNetwork.Parse("2001:10::/28"), AddressScope.Reserved),
        (IPNetwork.Parse("2001:20::/28"), AddressScope.Reserved),
        (IPNetwork.Parse("fc00::/7"), AddressScope.Private),
        (IPNetwork.Parse("fe80::/10"), AddressScope.LinkLocal),
        (IPNetwork.Parse("fec0::/10"), AddressScope.Private),
        (IPNetwork.Parse("ff00::/8"), AddressScope.Multicast),
    ];

    static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");
    static readonly IPNetwork Compatible = IPNetwork.Parse("::/96");

    public static AddressScope Classify(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return ClassifyV4(address);
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return AddressScope.Reserved;
        }

        // The scope id (fe80::1%2) names an interface, not a different address.
        var bare = address.ScopeId == 0 ? address : new IPAddress(address.GetAddressBytes());
        if (bare.Equals(IPAddress.IPv6None))
        {
            return AddressScope.Unspecified;
        }

        if (bare.Equals(IPAddress.IPv6Loopback))
        {
            return AddressScope.Loopback;
        }

        var bytes = bare.GetAddressBytes();
        if (bare.IsIPv4MappedToIPv6 || Nat64.Contains(bare) || Compatible.Contains(bare))
        {
            return ClassifyV4(new IPAddress(bytes.AsSpan(12, 4)));
        }

        if (SixToFour.Contains(bare))
        {
            return ClassifyV4(new IPAddress(bytes.AsSpan(2, 4)));
        }

        return V6.Where(r => r.Network.Contains(bare)).Select(r => r.Scope).FirstOrDefault(AddressScope.Public);
    }

    public static bool IsPublic(IPAddress address) => Classify(address) == AddressScope.Public;

    /// <summary>How the API names a scope in a refusal.</summary>
    public static string Describe(AddressScope scope) => scope switch
    {
        AddressScope.Public => "public",
        AddressScope.Unspecified => "unspecified",
        AddressScope.Loopback => "loopback",
        AddressScope.Private => "private",
        AddressScope.LinkLocal => "link-local",
        AddressScope.SharedAddressSpace => "shared (carrier-grade NAT)",
        AddressScope.Multicast => "multicast",
        AddressScope.Broadcast => "broadcast",
        _ => "reserved",
    };

    static AddressScope ClassifyV4(IPAddress address)
    {
        if (address.Equals(IPAddress.Any))
        {
            return AddressScope.Unspecified;
        }

        if (address.Equals(IPAddress.Broadcast))
        {
            return AddressScope.Broadcast;
        }

        return V4.Where(r => r.Network.Contains(address)).Select(r => r.Scope).FirstOrDefault(AddressScope.Public);
    }
}
