namespace Sendarix.Bench;

/// <summary>What one connection saw. Each connection owns its own, so nothing is shared while the load runs.</summary>
internal sealed class WorkerStats
{
    /// <summary>Latency in milliseconds of each message accepted inside the measured window.</summary>
    public List<double> Latencies { get; } = new(16384);

    public long WarmupAccepted { get; set; }

    /// <summary>Accepted after the window closed (sends already in flight); counted only for the sink's expectations.</summary>
    public long LateAccepted { get; set; }

    public long Replies4xx { get; set; }

    public long Replies5xx { get; set; }

    /// <summary>Failures without an SMTP reply: connection refused or lost, TLS, timeouts, protocol errors.</summary>
    public long OtherErrors { get; set; }

    public long WarmupErrors { get; set; }

    public long Connects { get; set; }

    public Dictionary<string, long> ErrorKinds { get; } = new(StringComparer.Ordinal);

    public long Accepted => Latencies.Count;

    public long TotalAccepted => WarmupAccepted + Latencies.Count + LateAccepted;
}
