using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Options;
using Sendarix.Contracts.Upstreams;
using Sendarix.Core.Providers;
using Sendarix.Core.Routing;
using Sendarix.Core.Tls;
using Sendarix.Network.Dns;

namespace Sendarix.Delivery.Routing;

/// <summary>
/// Finds where a recipient domain's mail goes: a static route when one matches, otherwise its MX hosts in
/// preference order (RFC 5321 section 5.1), falling back to the domain's own A/AAAA records when it has no MX.
/// A null MX or a domain that does not exist fails for good; a DNS error is temporary.
/// </summary>
public sealed class DestinationResolver(IOptions<DeliveryOptions> options, DnsLookup dns, EndpointHealth health, MtaStsPolicies mtaSts)
{
    readonly DeliveryOptions _options = options.Value;
    readonly RouteTable _routes = options.Value.ToRouteTable();

    public async Task<Resolution> ResolveAsync(string domain, CancellationToken cancellationToken)
    {
        if (_routes.Find(domain) is { } route)
        {
            var hosts = new List<ResolvedHost>();
            foreach (var host in health.Order(route.Hosts))
            {
                var addresses = await SystemAddressesAsync(host.Host, cancellationToken);
                if (addresses.Count > 0)
                {
                    hosts.Add(new ResolvedHost(host.Host, addresses, host.Port));
                }
            }

            return hosts.Count > 0 ? new Resolution(hosts, route.Tls, null, false)
                : Resolution.Fail($"4.4.4 No address found for the hosts of the route for {domain}", permanent: false);
        }

        IDnsQueryResponse mx;
        try
        {
            mx = await dns.Client.QueryAsync(domain, QueryType.MX, cancellationToken: cancellationToken);
        }
        catch (DnsResponseException ex)
        {
            return Resolution.Fail($"4.4.3 DNS lookup of {domain} failed: {ex.Message}", permanent: false);
        }

        if (mx.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain)
        {
            return Resolution.Fail($"5.1.2 Domain {domain} does not exist", permanent: true);
        }

        if (mx.HasError)
        {
            return Resolution.Fail($"4.4.3 DNS lookup of {domain} failed: {mx.ErrorMessage}", permanent: false);
        }

        var records = mx.Answers.MxRecords().Select(r => new MxHost(r.Exchange.Value, r.Preference)).ToList();
        if (MxOrdering.IsNullMx(records))
        {
            return Resolution.Fail($"5.1.10 Domain {domain} accepts no mail (null MX)", permanent: true);
        }

        var names = records.Count > 0 ? MxOrdering.Order(records, Random.Shared) : [domain];
        var tls = _options.MxTls;
        if (_options.MtaSts && await mtaSts.GetAsync(domain, cancellationToken) is { Mode: MtaStsPolicy.Enforce } policy)
        {
            // Enforce: only the MX hosts the policy names, and only over verified TLS; nothing else is a fallback.
            var allowed = names.Where(policy.Matches).ToList();
            if (allowed.Count == 0)
            {
                return Resolution.Fail($"4.7.5 No MX host of {domain} ({string.Join(", ", names)}) is named by its MTA-STS policy; not sent", permanent: false);
            }

            (names, tls) = (allowed, TlsPolicy.Verify);
        }

        var resolved = new List<ResolvedHost>();
        foreach (var name in names)
        {
            var addresses = await dns.AddressesAsync(name, cancellationToken);
            if (addresses.Count > 0)
            {
                resolved.Add(new ResolvedHost(name, addresses, _options.MxPort));
            }
        }

        if (resolved.Count == 0)
        {
            return records.Count == 0
                ? Resolution.Fail($"5.1.2 Domain {domain} has no mail servers (no MX, A or AAAA records)", permanent: true)
                : Resolution.Fail($"4.4.4 No address found for the mail servers of {domain}", permanent: false);
        }

        return new Resolution(resolved, tls, null, false, Provider.FromMxHosts(names));
    }

    /// <summary>The hosts of a tenant's upstream route, in order, resolved as the system resolves names.</summary>
    public async Task<Resolution> ResolveUpstreamAsync(UpstreamDeliveryRoute route, CancellationToken cancellationToken)
    {
        var hosts = new List<ResolvedHost>();
        foreach (var text in route.Settings.Hosts)
        {
            if (HostPort.TryParse(text, out var host) && await SystemAddressesAsync(host.Host, cancellationToken) is { Count: > 0 } addresses)
            {
                hosts.Add(new ResolvedHost(host.Host, addresses, host.Port));
            }
        }

        return hosts.Count > 0 ? new Resolution(hosts, route.Settings.Tls, null, false, Provider.Upstream, route)
            : Resolution.Fail($"4.4.4 No address found for the hosts of upstream route {route.Name} ({string.Join(", ", route.Settings.Hosts)})", permanent: false) with { Upstream = route };
    }

    // A route names hosts the operator chose (often "localhost" or a smarthost): resolve them as the system does.
    static async Task<IReadOnlyList<IPAddress>> SystemAddressesAsync(string host, CancellationToken cancellationToken)
    {
        try
        {
            return await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (SocketException)
        {
            return [];
        }
    }
}
