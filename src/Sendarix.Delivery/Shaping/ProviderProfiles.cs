using Sendarix.Contracts.Shaping;
using Sendarix.Core.Caching;
using Sendarix.Core.Providers;
using Sendarix.Core.Routing;

namespace Sendarix.Delivery.Shaping;

/// <summary>
/// The profile in force for a provider, from its grain, read again every few seconds so that an API change applies
/// everywhere within seconds.
/// </summary>
public sealed class ProviderProfiles(IGrainFactory grains, TimeProvider time)
{
    static readonly TimeSpan Freshness = TimeSpan.FromSeconds(5);

    readonly ExpiringCache<ProviderProfile> _profiles = new(time, Freshness);

    public Task<ProviderProfile> GetAsync(string provider) => _profiles.GetOrAddAsync(provider, async () =>
    {
        var p = await grains.GetGrain<IProviderGrain>(provider).GetAsync();
        return new ProviderProfile(p.ConnectionsPerIp, p.MessagesPerConnection, p.MessagesPerMinutePerIp, p.RequireTls ? TlsPolicy.Verify : TlsPolicy.Opportunistic);
    });
}
