namespace Sendarix.Core.Webhooks;

/// <summary>Where an IP address leads, as far as a webhook is concerned: only <see cref="Public"/> is on the Internet.</summary>
public enum AddressScope
{
    Public,
    Unspecified,
    Loopback,

    /// <summary>RFC 1918, IPv6 unique local (fc00::/7) and the deprecated site-local fec0::/10.</summary>
    Private,

    /// <summary>169.254/16 (the cloud metadata address 169.254.169.254 among them) and fe80::/10.</summary>
    LinkLocal,

    /// <summary>100.64/10, carrier-grade NAT (RFC 6598).</summary>
    SharedAddressSpace,
    Multicast,
    Broadcast,

    /// <summary>Ranges set aside for protocols, benchmarks or the future, which no public server uses.</summary>
    Reserved,
}
