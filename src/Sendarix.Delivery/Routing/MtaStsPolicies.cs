using System.Collections.Concurrent;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Core.Tls;
using Sendarix.Delivery.Transport;
using Sendarix.Network.Dns;

namespace Sendarix.Delivery.Routing;

/// <summary>
/// Finds a domain's MTA-STS policy (RFC 8461): the "_mta-sts" TXT record says one exists and its id; the policy
/// itself comes from https://mta-sts.{domain}/.well-known/mta-sts.txt, over verified TLS, resolved through the relay's
/// own DNS. A policy is kept for its max_age and fetched again only when the id changes; a cached policy still applies
/// when the TXT record cannot be found, which is what protects a domain against a record stripped by an attacker.
/// </summary>
public sealed partial class MtaStsPolicies : IDisposable
{
    const int MaxPolicyBytes = 64 * 1024;

    readonly DnsLookup _dns;
    readonly IOptions<DeliveryOptions> _options;
    readonly TimeProvider _time;
    readonly ILogger<MtaStsPolicies> _logger;
    readonly HttpClient _http;
    readonly ConcurrentDictionary<string, (MtaStsPolicy Policy, string Id, DateTimeOffset Expires)> _cache = new(StringComparer.OrdinalIgnoreCase);

    public MtaStsPolicies(DnsLookup dns, CertificateVerifier verifier, IOptions<DeliveryOptions> options, TimeProvider time, ILogger<MtaStsPolicies> logger)
    {
        (_dns, _options, _time, _logger) = (dns, options, time, logger);
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = ConnectAsync,
            SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, errors) => verifier.Check(certificate, errors) is null },
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        };
        _http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10), MaxResponseContentBufferSize = MaxPolicyBytes };
    }

    /// <summary>The domain's policy in force, or null when it has none (or none could be had and none was kept).</summary>
    public async Task<MtaStsPolicy?> GetAsync(string domain, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var cached = _cache.TryGetValue(domain, out var c) && c.Expires > now ? c : ((MtaStsPolicy Policy, string Id, DateTimeOffset Expires)?)null;
        string? id;
        try
        {
            id = (await _dns.TxtAsync($"_mta-sts.{domain}", cancellationToken)).Select(MtaStsPolicy.RecordId).FirstOrDefault(i => i is not null);
        }
        catch (DnsClient.DnsResponseException)
        {
            return cached?.Policy;
        }

        if (id is null || cached?.Id == id)
        {
            return cached?.Policy;
        }

        var url = $"https://mta-sts.{domain}:{_options.Value.MtaStsPort}/.well-known/mta-sts.txt";
        try
        {
            var text = await _http.GetStringAsync(url, cancellationToken);
            if (!MtaStsPolicy.TryParse(text, out var policy, out var error))
            {
                LogBadPolicy(_logger, domain, error);
                return cached?.Policy;
            }

            _cache[domain] = (policy, id, now + policy.MaxAge);
            LogPolicy(_logger, domain, policy.Mode, id);
            return policy;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // RFC 8461 3.3: a policy that cannot be fetched is as none, unless one is kept from before.
            LogFetchFailed(_logger, domain, ex.Message);
            return cached?.Policy;
        }
    }

    async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await _dns.AddressesAsync(context.DnsEndPoint.Host, cancellationToken);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses.ToArray(), context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _http.Dispose();

    [LoggerMessage(EventId = 4301, EventName = "MtaStsPolicy", Level = LogLevel.Information, Message = "MTA-STS policy of {Domain}: {Mode} (id {Id})")]
    static partial void LogPolicy(ILogger logger, string domain, string mode, string id);

    [LoggerMessage(EventId = 4302, EventName = "MtaStsBadPolicy", Level = LogLevel.Warning, Message = "MTA-STS policy of {Domain} is not valid: {Error}")]
    static partial void LogBadPolicy(ILogger logger, string domain, string error);

    [LoggerMessage(EventId = 4303, EventName = "MtaStsFetchFailed", Level = LogLevel.Warning, Message = "MTA-STS policy of {Domain} could not be fetched: {Reason}")]
    static partial void LogFetchFailed(ILogger logger, string domain, string reason);
}
