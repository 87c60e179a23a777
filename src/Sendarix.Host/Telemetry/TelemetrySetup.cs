using Azure.Monitor.OpenTelemetry.Exporter;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Sendarix.Core.Telemetry;

namespace Sendarix.Host.Telemetry;

/// <summary>
/// OpenTelemetry for every role, in one place: the relay's meter and activity source, Orleans' meter and activity
/// sources, ASP.NET Core and the runtime; exported to Prometheus (scraped at <c>/metrics</c>), to an OTLP collector when one is set,
/// and to Azure Monitor when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set.
/// </summary>
internal static class TelemetrySetup
{
    public const string AzureMonitorSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    public static void AddRelayTelemetry(this WebApplicationBuilder builder, string serviceInstance)
    {
        var options = builder.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        var azureMonitor = builder.Configuration[AzureMonitorSetting];
        var otlp = options.OtlpEndpoint is { Length: > 0 } endpoint ? new Uri(endpoint) : null;
        if (options.JsonConsoleLogs)
        {
            builder.Logging.AddJsonConsole();
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("sendarix", serviceInstanceId: serviceInstance))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(MetricNames.Meter).AddAspNetCoreInstrumentation().AddRuntimeInstrumentation();
                if (options.OrleansMetrics)
                {
                    metrics.AddMeter("Microsoft.Orleans");
                }

                if (options.Prometheus)
                {
                    metrics.AddPrometheusExporter();
                }

                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(o => Otlp(o, otlp, options.OtlpProtocol, "v1/metrics"));
                }

                if (azureMonitor is { Length: > 0 })
                {
                    metrics.AddAzureMonitorMetricExporter(o => o.ConnectionString = azureMonitor);
                }
            });

        // Traces and logs only where they are sent: a span per grain call costs the hot path, and nobody reads it
        // when no exporter is set.
        if (otlp is not null || azureMonitor is { Length: > 0 })
        {
            telemetry.WithTracing(tracing =>
            {
                // The relay's own spans follow a message from its acceptance to its delivery and webhooks; the context
                // travels in the work item, the retry rows and the events (RelayTracing).
                tracing.AddSource(TraceNames.Source, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application").AddAspNetCoreInstrumentation();
                if (otlp is not null)
                {
                    tracing.AddOtlpExporter(o => Otlp(o, otlp, options.OtlpProtocol, "v1/traces"));
                }

                if (azureMonitor is { Length: > 0 })
                {
                    tracing.AddAzureMonitorTraceExporter(o => o.ConnectionString = azureMonitor);
                }
            });
            telemetry.WithLogging(logging =>
            {
                if (otlp is not null)
                {
                    logging.AddOtlpExporter(o => Otlp(o, otlp, options.OtlpProtocol, "v1/logs"));
                }

                if (azureMonitor is { Length: > 0 })
                {
                    logging.AddAzureMonitorLogExporter(o => o.ConnectionString = azureMonitor);
                }
            });
        }
    }

    // Over HTTP an endpoint set in code is used as given, so each signal's path is added here; gRPC takes the base address.
    static void Otlp(OtlpExporterOptions o, Uri endpoint, OtlpExportProtocol protocol, string signalPath)
    {
        o.Protocol = protocol;
        o.Endpoint = protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath) : endpoint;
    }

    public static void MapRelayTelemetry(this WebApplication app)
    {
        if (app.Configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() is not { Prometheus: false })
        {
            app.MapPrometheusScrapingEndpoint("/metrics");
        }
    }
}
