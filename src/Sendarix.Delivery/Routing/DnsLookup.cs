using System.Net;
using DnsClient;
using Microsoft.Extensions.Options;

namespace Sendarix.Delivery.Routing;

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
