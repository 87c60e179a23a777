using System.Net;

namespace Sendarix.Core.Credentials;

/// <summary>Networks a credential may be used from, written in CIDR ("203.0.113.0/24", "2001:db8::/32", "192.0.2.7").</summary>
public sealed class NetworkAllowlist
{
    readonly IReadOnlyList<IPNetwork> _networks;

    NetworkAllowlist(IReadOnlyList<IPNetwork> networks) => _networks = networks;

    /// <summary>True when the list is empty (the credential works from anywhere) or a network contains the address.</summary>
    public bool Allows(IPAddress? address)
    {
        if (_networks.Count == 0)
        {
            return true;
        }

        if (address is null)
        {
            return false;
        }

        var candidates = address.IsIPv4MappedToIPv6 ? [address, address.MapToIPv4()] : new[] { address };
        return _networks.Any(n => candidates.Any(n.Contains));
    }

    /// <summary>Parses every entry; a bare address is a single host. False with the first bad entry (null for a null one) otherwise.</summary>
    public static bool TryParse(IEnumerable<string?>? entries, out NetworkAllowlist allowlist, out string? invalid)
    {
        var networks = new List<IPNetwork>();
        invalid = null;
        foreach (var entry in entries ?? [])
        {
            // A JSON list may hold a null whatever its declared type.
            if (entry is null)
            {
                allowlist = new NetworkAllowlist([]);
                return false;
            }

            var text = entry.Trim();
            if (!text.Contains('/') && IPAddress.TryParse(text, out var host))
            {
                text = $"{host}/{(host.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128)}";
            }

            // "10.0.0.1/8" is refused rather than read as 10.0.0.0/8: the author meant something, and it is unclear what.
            if (!IPNetwork.TryParse(text, out var network) || !IPAddress.Parse(text[..text.IndexOf('/')]).Equals(network.BaseAddress))
            {
                invalid = entry;
                allowlist = new NetworkAllowlist([]);
                return false;
            }

            networks.Add(network);
        }

        allowlist = new NetworkAllowlist(networks);
        return true;
    }
}
