using OpenTelemetry.Exporter;

namespace Sendarix.Host.Telemetry;

/// <summary>Where telemetry goes. Section "Sendarix:Telemetry"; Azure Monitor by the standard APPLICATIONINSIGHTS_CONNECTION_STRING.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Sendarix:Telemetry";

    /// <summary>
    /// An OTLP collector for traces, metrics and logs: its base address (e.g. http://127.0.0.1:4317 for gRPC, or
    /// http://127.0.0.1:4318 for HTTP, to which the signals' paths /v1/traces, /v1/metrics and /v1/logs are added); empty: none.
    /// </summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>How OTLP is spoken: <c>Grpc</c> (the default) or <c>HttpProtobuf</c>.</summary>
    public OtlpExportProtocol OtlpProtocol { get; set; } = OtlpExportProtocol.Grpc;

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
