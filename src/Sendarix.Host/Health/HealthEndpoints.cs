using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Sendarix.Host.Health;

/// <summary>
/// Liveness and readiness: <c>/alive</c> answers while the process runs (a restart will not help otherwise), and
/// <c>/health/ready</c> (also <c>/health</c>) checks what this node's roles need (storage, the cluster, its SMTP
/// listeners), so a load balancer takes a node that cannot do its work out of rotation.
/// </summary>
internal static class HealthEndpoints
{
    const string Ready = "ready";
    static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(5);

    public static void AddRelayHealthChecks(this IServiceCollection services, bool smtp)
    {
        var checks = services.AddHealthChecks()
            .AddCheck<StorageHealthCheck>("storage", tags: [Ready], timeout: CheckTimeout)
            .AddCheck<ClusterHealthCheck>("cluster", tags: [Ready], timeout: CheckTimeout);
        if (smtp)
        {
            checks.AddCheck<SmtpHealthCheck>("smtp", tags: [Ready], timeout: CheckTimeout);
        }
    }

    public static void MapRelayHealth(this WebApplication app)
    {
        app.MapHealthChecks("/alive", new HealthCheckOptions { Predicate = _ => false });
        var ready = new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync };
        app.MapHealthChecks("/health/ready", ready);
        app.MapHealthChecks("/health", ready);
    }

    // Each check's state and why, so an operator reading the probe sees what is missing.
    static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, new HealthResponse(report.Status.ToString(),
            report.Entries.ToDictionary(e => e.Key, e => new HealthEntry(e.Value.Status.ToString(), e.Value.Description))),
            HealthJson.Default.HealthResponse, context.RequestAborted);
    }
}

internal sealed record HealthResponse(string Status, IReadOnlyDictionary<string, HealthEntry> Checks);

internal sealed record HealthEntry(string Status, string? Description);

[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
[System.Text.Json.Serialization.JsonSerializable(typeof(HealthResponse))]
internal sealed partial class HealthJson : System.Text.Json.Serialization.JsonSerializerContext;
