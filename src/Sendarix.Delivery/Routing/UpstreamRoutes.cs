using Sendarix.Contracts.Upstreams;
using Sendarix.Core.Caching;
using Sendarix.Core.Upstreams;

namespace Sendarix.Delivery.Routing;

/// <summary>
/// The upstream route a tenant's message takes, if any. Each node asks the tenant's routes grain at most once per
/// <see cref="Freshness"/>, as for provider profiles: a changed route is used within that time everywhere.
/// </summary>
public sealed class UpstreamRoutes(IGrainFactory grains, TimeProvider time)
{
    static readonly TimeSpan Freshness = TimeSpan.FromSeconds(5);

    readonly ExpiringCache<IReadOnlyList<UpstreamDeliveryRoute>> _routes = new(time, Freshness);

    /// <summary>The route for mail from <paramref name="from"/> (the envelope sender), or null: it goes direct.</summary>
    public async Task<UpstreamDeliveryRoute?> FindAsync(string tenantId, string from)
    {
        var routes = await _routes.GetOrAddAsync(tenantId, () => grains.GetGrain<IUpstreamRoutesGrain>(tenantId).GetDeliveryRoutesAsync());
        return routes.Count == 0 ? null : UpstreamRouteRules.Pick(routes, r => r.Name, r => r.Settings.SenderDomains, UpstreamRouteRules.SenderDomain(from));
    }
}
