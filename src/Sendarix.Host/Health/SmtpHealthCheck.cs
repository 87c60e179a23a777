using Microsoft.Extensions.Diagnostics.HealthChecks;
using Sendarix.Reception;

namespace Sendarix.Host.Health;

/// <summary>Ready only once every SMTP listener of a front-end is bound, and no longer once it drains.</summary>
internal sealed class SmtpHealthCheck(SmtpFrontEnd frontEnd) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(frontEnd.Listening switch
        {
            _ when frontEnd.Draining => HealthCheckResult.Unhealthy("Shutting down: new SMTP sessions are refused."),
            { IsCompletedSuccessfully: true } bound => HealthCheckResult.Healthy($"Listening on {string.Join(", ", bound.Result.Select(b => $"{b.Key} {b.Value}"))}."),
            { IsFaulted: true } failed => HealthCheckResult.Unhealthy("An SMTP listener could not be opened.", failed.Exception),
            _ => HealthCheckResult.Unhealthy("The SMTP listeners are not bound yet."),
        });
}
