using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Core.Routing;

namespace Sendarix.Delivery.Routing;

/// <summary>
/// The health of smarthost endpoints (the hosts of routes that list more than one), as this node sees them: a failed
/// delivery (no connection, a timeout, a 421 greeting) marks an endpoint unhealthy at once, and a probe every
/// <see cref="DeliveryOptions.HealthCheckInterval"/> (connect, read a 220 greeting, QUIT) notices a dead or hung one
/// without waiting for mail, and a recovered one. Routes try healthy endpoints first, in their configured order.
/// Each node judges its own path to an upstream; nothing here is a record another node relies on.
/// </summary>
public sealed partial class EndpointHealth(IOptions<DeliveryOptions> options, TimeProvider time, ILogger<EndpointHealth> logger) : BackgroundService
{
    readonly ConcurrentDictionary<string, string> _unhealthy = new(StringComparer.OrdinalIgnoreCase);
    readonly HashSet<string> _watched = options.Value.Routes.Where(r => r.Hosts.Count > 1)
        .SelectMany(r => r.Hosts).Select(h => HostPort.TryParse(h, out var hp) ? hp.ToString() : h).ToHashSet(StringComparer.OrdinalIgnoreCase);

    public bool IsHealthy(HostPort endpoint) => !_unhealthy.ContainsKey(endpoint.ToString());

    /// <summary>The endpoints with the healthy ones first, each group in its configured (priority) order.</summary>
    public IReadOnlyList<HostPort> Order(IReadOnlyList<HostPort> endpoints) =>
        endpoints.Count < 2 ? endpoints : endpoints.Where(IsHealthy).Concat(endpoints.Where(e => !IsHealthy(e))).ToList();

    /// <summary>A delivery could not use this endpoint: later attempts go to the next one until a probe finds it well.</summary>
    public void ReportFailure(string endpoint, string reason)
    {
        if (_watched.Contains(endpoint) && _unhealthy.TryAdd(endpoint, reason))
        {
            LogUnhealthy(logger, endpoint, reason);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.HealthCheckInterval;
        if (_watched.Count == 0 || interval <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, time);
        do
        {
            await Task.WhenAll(_watched.Select(endpoint => CheckAsync(endpoint, stoppingToken)));
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    async Task CheckAsync(string endpoint, CancellationToken stoppingToken)
    {
        var failure = await ProbeAsync(HostPort.TryParse(endpoint, out var hp) ? hp : throw new FormatException(endpoint), stoppingToken);
        if (failure is null)
        {
            if (_unhealthy.TryRemove(endpoint, out _))
            {
                LogHealthy(logger, endpoint);
            }
        }
        else
        {
            ReportFailure(endpoint, failure);
        }
    }

    /// <summary>Null when the endpoint greets with 220 within the probe timeout; otherwise why not.</summary>
    async Task<string?> ProbeAsync(HostPort endpoint, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(options.Value.HealthCheckTimeout);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token);
            var stream = client.GetStream();
            var greeting = await ReadReplyAsync(stream, timeout.Token);
            if (!greeting.StartsWith("220", StringComparison.Ordinal))
            {
                return $"greeting '{greeting.TrimEnd()}'";
            }

            // A server that greets and then hangs is as dead as one that does not answer: ask for EHLO too.
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"EHLO {options.Value.HeloName}\r\n"), timeout.Token);
            var ehlo = await ReadReplyAsync(stream, timeout.Token);
            await stream.WriteAsync("QUIT\r\n"u8.ToArray(), timeout.Token);
            return ehlo.StartsWith("250", StringComparison.Ordinal) ? null : $"EHLO answered '{ehlo.TrimEnd()}'";
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return $"no greeting within {options.Value.HealthCheckTimeout.TotalSeconds} s";
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return ex.Message;
        }
    }

    /// <summary>A whole reply: lines until one whose fourth character is a space (RFC 5321 4.2.1).</summary>
    static async Task<string> ReadReplyAsync(Stream stream, CancellationToken cancellationToken)
    {
        var reply = new StringBuilder();
        var buffer = new byte[1024];
        while (true)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return reply.Length > 0 ? reply.ToString() : "connection closed";
            }

            reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
            var text = reply.ToString();
            var lastLine = text.TrimEnd('\r', '\n').Split('\n')[^1];
            if (text.EndsWith('\n') && (lastLine.Length < 4 || lastLine[3] == ' '))
            {
                return text;
            }
        }
    }

    [LoggerMessage(EventId = 4201, EventName = "EndpointUnhealthy", Level = LogLevel.Warning,
        Message = "Smarthost endpoint {Endpoint} is unhealthy ({Reason}); routes use their next endpoint")]
    static partial void LogUnhealthy(ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = 4202, EventName = "EndpointHealthy", Level = LogLevel.Information,
        Message = "Smarthost endpoint {Endpoint} is healthy again")]
    static partial void LogHealthy(ILogger logger, string endpoint);
}
