using System.ComponentModel.DataAnnotations;
using Sendarix.Core.Routing;

namespace Sendarix.Delivery;

/// <summary>Outbound delivery. Section "Sendarix:Delivery".</summary>
public sealed class DeliveryOptions : IValidatableObject
{
    public const string Section = "Sendarix:Delivery";

    /// <summary>The name the relay gives in EHLO to destination servers.</summary>
    [Required]
    public string HeloName { get; set; } = "localhost";

    /// <summary>Port used for hosts found through MX records (25 on the Internet; tests point it elsewhere).</summary>
    [Range(1, 65535)]
    public int MxPort { get; set; } = 25;

    /// <summary>Static routes: a domain (or "*") to a list of "host:port", tried in order, instead of MX lookup.</summary>
    public List<RouteOptions> Routes { get; set; } = [];

    /// <summary>
    /// PEM file of CA certificates trusted beside the system's when TLS must be verified (a private CA of an upstream
    /// smarthost); empty: the system's roots only.
    /// </summary>
    public string? TrustedCaFile { get; set; }

    /// <summary>Whether MTA-STS policies (RFC 8461) of destinations found through MX records are honoured.</summary>
    public bool MtaSts { get; set; } = true;

    /// <summary>Port of the HTTPS server that serves MTA-STS policies (443; tests point it elsewhere).</summary>
    [Range(1, 65535)]
    public int MtaStsPort { get; set; } = 443;

    /// <summary>TLS for destinations found through MX records.</summary>
    public TlsPolicy MxTls { get; set; } = TlsPolicy.Opportunistic;

    /// <summary>
    /// The mailbox simulator's domain: mail to it acts out an outcome chosen by the local part (see the README) and
    /// never leaves the relay, nor counts in the tenant's reputation. Empty turns the simulator off.
    /// </summary>
    public string SandboxDomain { get; set; } = Core.Sandbox.MailboxSimulator.DefaultDomain;

    /// <summary>Queue readers per silo.</summary>
    [Range(1, 64)]
    public int QueueReaders { get; set; } = 2;

    /// <summary>Delivery attempts in progress at once per silo; the silo holds at most half as many queue messages.</summary>
    [Range(1, 10000)]
    public int MaxConcurrentDeliveries { get; set; } = 128;

    /// <summary>Open connections to one destination host address per silo.</summary>
    [Range(1, 1000)]
    public int MaxConnectionsPerHost { get; set; } = 20;

    /// <summary>How long an unused connection is kept for reuse.</summary>
    /// <remarks>
    /// Short, as Postfix's connection cache (2 s): under steady traffic a connection is reused within milliseconds, and
    /// an idle one still holds one of the provider's few connection slots, which another silo may be waiting for.
    /// </remarks>
    public TimeSpan IdleConnectionTimeout { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the endpoints of routes with several hosts are probed (0: only failed deliveries mark them down).</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a probe waits for an endpoint's 220 greeting.</summary>
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Wait for any one reply from a destination server before the attempt counts as failed.</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a received queue message stays invisible to other readers without its lease being extended (every
    /// third of this while it is worked on). Work that a crashed node left unfinished, or that failed, is picked up
    /// again within this.
    /// </summary>
    public TimeSpan QueueVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest pause between two polls of an empty queue.</summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var route in Routes)
        {
            if (string.IsNullOrWhiteSpace(route.Domain) || !seen.Add(route.Domain))
            {
                yield return new ValidationResult($"Sendarix:Delivery:Routes: the domain '{route.Domain}' is empty or listed twice.", [nameof(Routes)]);
            }

            if (route.Hosts.Count == 0 || route.Hosts.Any(h => !HostPort.TryParse(h, out _)))
            {
                yield return new ValidationResult($"Sendarix:Delivery:Routes: the route for '{route.Domain}' needs hosts written 'host' or 'host:port'.", [nameof(Routes)]);
            }
        }

        if (ConnectTimeout < TimeSpan.FromMilliseconds(100) || CommandTimeout < TimeSpan.FromMilliseconds(100))
        {
            yield return new ValidationResult("Sendarix:Delivery: ConnectTimeout and CommandTimeout must be at least 100 ms.");
        }

        if (TrustedCaFile is { Length: > 0 } ca && !File.Exists(ca))
        {
            yield return new ValidationResult($"Sendarix:Delivery:TrustedCaFile '{ca}' does not exist.", [nameof(TrustedCaFile)]);
        }

        if (HealthCheckInterval < TimeSpan.Zero || HealthCheckTimeout < TimeSpan.FromMilliseconds(100))
        {
            yield return new ValidationResult("Sendarix:Delivery: HealthCheckInterval must not be negative and HealthCheckTimeout at least 100 ms.");
        }

        if (IdleConnectionTimeout < TimeSpan.FromMilliseconds(100))
        {
            yield return new ValidationResult("Sendarix:Delivery:IdleConnectionTimeout must be at least 100 ms.", [nameof(IdleConnectionTimeout)]);
        }

        if (QueueVisibilityTimeout < TimeSpan.FromSeconds(3) || QueueVisibilityTimeout > TimeSpan.FromHours(1))
        {
            yield return new ValidationResult("Sendarix:Delivery:QueueVisibilityTimeout must be between 3 s and 1 hour (a lease is extended every third of it).");
        }
    }

    public RouteTable ToRouteTable() => new(Routes.Select(r => new Route(
        r.Domain, r.Hosts.Select(h => HostPort.TryParse(h, out var hp) ? hp : throw new FormatException(h)).ToList(), r.Tls)));
}

/// <summary>One static route.</summary>
public sealed class RouteOptions
{
    public string Domain { get; set; } = "";

    public List<string> Hosts { get; set; } = [];

    public TlsPolicy Tls { get; set; } = TlsPolicy.Opportunistic;
}
