using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;

namespace Sendarix.Host.Health;

/// <summary>
/// Ready only while the node is part of the cluster: a silo once the membership table lists it active; a node
/// without a silo (a front-end or an API node) while a silo answers it through a gateway.
/// </summary>
internal sealed class ClusterHealthCheck(IServiceProvider services, IClusterClient client) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (services.GetService<ILocalSiloDetails>() is { } silo)
        {
            var status = services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
            return status == SiloStatus.Active
                ? HealthCheckResult.Healthy($"Silo {silo.SiloAddress} is active.")
                : HealthCheckResult.Unhealthy($"Silo {silo.SiloAddress} is {status}.");
        }

        try
        {
            var hosts = await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(cancellationToken);
            return hosts.Count > 0
                ? HealthCheckResult.Healthy($"{hosts.Count} active silo(s) answer.")
                : HealthCheckResult.Unhealthy("No active silo.");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The cluster does not answer.", ex);
        }
    }
}
