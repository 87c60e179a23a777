namespace Sendarix.Host.Telemetry;

/// <summary>Where telemetry goes. Section "Sendarix:Telemetry"; Azure Monitor by the standard APPLICATIONINSIGHTS_CONNECTION_STRING.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Sendarix:Telemetry";

    /// <summary>An OTLP collector for traces, metrics and logs (e.g. http://127.0.0.1:4317); empty: none.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>Whether metrics are served for Prometheus to scrape at <c>/metrics</c>.</summary>
    public bool Prometheus { get; set; } = true;

    /// <summary>
    /// Whether Orleans' own meter is exported too (grain calls, messaging, activations). Off by default: listening to
    /// it records on every grain call, which cost the acceptance rate up to 13% on a 2-core benchmark machine.
    /// </summary>
    public bool OrleansMetrics { get; set; }

    /// <summary>Console logs as one JSON object a line (for a log shipper), instead of text.</summary>
    public bool JsonConsoleLogs { get; set; }
}
