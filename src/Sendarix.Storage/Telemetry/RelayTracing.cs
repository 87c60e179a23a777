using System.Diagnostics;
using Sendarix.Core.Telemetry;

namespace Sendarix.Storage.Telemetry;

/// <summary>
/// The relay's activity source (names in <see cref="TraceNames"/>). A span exists only while something collects the
/// source (an OTLP or Azure Monitor exporter): otherwise <see cref="ActivitySource.StartActivity(string, ActivityKind)"/>
/// returns null, and nothing is formatted or stored. A message's trace context travels as a W3C traceparent string
/// in its work item, its retry rows and its events, written only when its span exists.
/// </summary>
public static class RelayTracing
{
    public static readonly ActivitySource Source = new(TraceNames.Source);

    /// <summary>The traceparent of <paramref name="activity"/>, or null when there is none to carry.</summary>
    public static string? TraceParent(Activity? activity) => activity is { IdFormat: ActivityIdFormat.W3C } ? activity.Id : null;

    /// <summary>The context a stored traceparent names, or default (no parent) when it is absent or unreadable.</summary>
    public static ActivityContext Parent(string? traceParent) =>
        traceParent is not null && ActivityContext.TryParse(traceParent, null, isRemote: true, out var context) ? context : default;
}
