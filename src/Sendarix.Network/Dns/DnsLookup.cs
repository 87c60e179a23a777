using System.Net;
using System.Net.Sockets;
using DnsClient;
using DnsClient.Protocol;
using Microsoft.Extensions.Options;

namespace Sendarix.Network.Dns;

/// <summary>The relay's one DNS client, on the configured servers, with caching.</summary>
public sealed class DnsLookup(IOptions<DnsOptions> options)
{
    public ILookupClient Client { get; } = Create(options.Value);

    /// <summary>The TXT strings at a name (each record's strings joined); empty when there are none.</summary>
    public async Task<IReadOnlyList<string>> TxtAsync(string name, CancellationToken cancellationToken)
    {
        var response = await Client.QueryAsync(name, QueryType.TXT, cancellationToken: cancellationToken);
        if (response.HasError && response.Header.ResponseCode != DnsHeaderResponseCode.NotExistentDomain)
        {
            throw new DnsResponseException($"TXT lookup of {name} failed: {response.ErrorMessage}");
        }

        return response.Answers.TxtRecords().Select(r => string.Concat(r.Text)).ToList();
    }

    /// <summary>A host's IPv4 and IPv6 addresses (an IP literal is its own address); empty when it has none.</summary>
    public async Task<IReadOnlyList<IPAddress>> AddressesAsync(string host, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return [literal];
        }

        var addresses = new List<IPAddress>();
        foreach (var type in new[] { QueryType.A, QueryType.AAAA })
        {
            try
            {
                var response = await Client.QueryAsync(host, type, cancellationToken: cancellationToken);
                addresses.AddRange(response.Answers.OfType<AddressRecord>().Select(a => a.Address)
                    .Where(a => a.AddressFamily == (type == QueryType.A ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6)));
            }
            catch (DnsResponseException)
            {
                // Treated as no addresses of this family.
            }
        }

        return addresses;
    }

    static LookupClient Create(DnsOptions options)
    {
        var servers = options.Servers.Select(s => IPEndPoint.Parse(s)).Select(e => new NameServer(e.Port == 0 ? new IPEndPoint(e.Address, 53) : e)).ToArray();
        var lookup = servers.Length > 0 ? new LookupClientOptions(servers) : new LookupClientOptions();
        lookup.UseCache = true;
        lookup.Timeout = TimeSpan.FromSeconds(5);
        lookup.Retries = 2;
        lookup.ThrowDnsErrors = false;
        lookup.ContinueOnDnsError = false;
        lookup.ContinueOnEmptyResponse = false;
        return new LookupClient(lookup);
    }
}
