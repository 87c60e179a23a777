using System.Net;
using Microsoft.Extensions.Options;
using Sendarix.Contracts.Egress;
using Sendarix.Contracts.Subtenants;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Caching;
using Sendarix.Core.Egress;
using Sendarix.Core.Providers;

namespace Sendarix.Delivery.Egress;

/// <summary>The IP to send from: its address to bind (null: the host's own) and the key of its IP grain and throttles.</summary>
public sealed record EgressChoice(IPAddress? Address, string Key);

/// <summary>
/// Chooses the egress IP for a tenant's message to a provider: the tenant's pool (or the default pool), its IPs'
/// standing read from their grains (kept a second), and the pure selector. A warming IP is only chosen once its grain
/// has counted the message against today's cap.
/// </summary>
public sealed class EgressChooser(IGrainFactory grains, IOptions<EgressOptions> options, TimeProvider time)
{
    static readonly TimeSpan TenantFreshness = TimeSpan.FromSeconds(5);
    static readonly TimeSpan IpFreshness = TimeSpan.FromSeconds(1);

    readonly ExpiringCache<string?> _tenantPools = new(time, TenantFreshness);
    readonly ExpiringCache<IpStatus> _ips = new(time, IpFreshness);

    /// <summary>
    /// Where a provider's or destination's standing is kept: per provider for the big ones (they judge an IP as a
    /// whole), per destination domain for everyone else (one small server's block says nothing about the next).
    /// </summary>
    public static string ScopeOf(string provider, string domain) => provider == Provider.Default ? $"{Provider.Default}:{domain}" : provider;

    /// <summary>The IP to use, or null with the reason when none of the pool may send to this provider now.</summary>
    public async Task<(EgressChoice? Choice, string? Reason)> ChooseAsync(string tenantId, string? subtenant, string provider, string scope)
    {
        var (poolName, candidates, statuses) = await CandidatesAsync(tenantId, subtenant, provider, scope);
        var now = time.GetUtcNow();
        while (EgressSelector.Choose(candidates, now, Random.Shared) is { } chosen)
        {
            if (statuses[chosen.Address].Status != IpStatuses.Warming || await grains.GetGrain<IIpGrain>(chosen.Address).ReserveAsync(provider))
            {
                return (new EgressChoice(chosen.Address == IIpGrain.HostAddress ? null : IPAddress.Parse(chosen.Address), chosen.Address), null);
            }

            // Its cap for today is reached: take it out and choose again.
            _ips.Remove(chosen.Address);
            candidates = candidates.Select(c => c.Address == chosen.Address ? c with { Sendable = false } : c).ToList();
        }

        var back = EgressSelector.NextReturn(candidates, now);
        return (null, $"no IP of {(poolName is null ? "the host" : $"pool {poolName}")} may send to {scope} now" +
                      (back is { } at ? $" (deprioritised until {at:u})" : " (cold, paused or at the warm-up cap)"));
    }

    /// <summary>
    /// For a recipient that <paramref name="blocked"/> refused with an IP block: how many IPs of the tenant's pool could
    /// carry it (the blocked one and the others not cold, paused or capped), and when one of the others may next send
    /// to <paramref name="scope"/>: now, or when the first deprioritised one comes back; null when there is no other.
    /// </summary>
    public async Task<(int PoolSize, DateTimeOffset? NextChance)> ElsewhereAsync(string tenantId, string? subtenant, string provider, string scope, EgressChoice blocked)
    {
        var (_, candidates, _) = await CandidatesAsync(tenantId, subtenant, provider, scope);
        var others = candidates.Where(c => c.Address != blocked.Key && c.Sendable).ToList();
        var now = time.GetUtcNow();
        return (others.Count + 1, EgressSelector.Choose(others, now, Random.Shared) is not null ? now : EgressSelector.NextReturn(others, now));
    }

    async Task<(string? Pool, List<EgressCandidate> Candidates, Dictionary<string, IpStatus> Statuses)> CandidatesAsync(string tenantId, string? subtenant,
        string provider, string scope)
    {
        var o = options.Value;
        // A sub-tenant's own pool, else its tenant's; one that is no longer configured falls back to the default pool,
        // never to the host's own address.
        var key = subtenant is null ? tenantId : ISubtenantGrain.Key(tenantId, subtenant);
        var poolName = await _tenantPools.GetOrAddAsync(key, async () =>
            (subtenant is null ? null : (await grains.GetGrain<ISubtenantGrain>(key).GetAsync())?.Pool)
            ?? (await grains.GetGrain<ITenantGrain>(tenantId).GetAsync())?.Pool);
        poolName = poolName is not null && o.Pools.ContainsKey(poolName) ? poolName : o.DefaultPool;
        var ips = poolName is not null && o.Pools.TryGetValue(poolName, out var pool)
            ? pool.Ips.Select(ip => (ip.Address, ip.Tier)).ToList()
            : [(IIpGrain.HostAddress, 0)];

        var statuses = new Dictionary<string, IpStatus>();
        foreach (var (address, _) in ips)
        {
            statuses[address] = await _ips.GetOrAddAsync(address, () => grains.GetGrain<IIpGrain>(address).GetAsync());
        }

        var candidates = ips.Select(ip => new EgressCandidate(ip.Address, ip.Tier, statuses[ip.Address].CanSend(provider), statuses[ip.Address].DeprioritisedUntil(scope))).ToList();
        return (poolName, candidates, statuses);
    }

    /// <summary>Counts what the provider answered an attempt from the IP, for its reputation there.</summary>
    public Task RecordAsync(EgressChoice egress, string provider, IpOutcomes outcomes) =>
        grains.GetGrain<IIpGrain>(egress.Key).RecordAsync(provider, new IpCounts(outcomes.Delivered, outcomes.Deferred, outcomes.Bounced, outcomes.Blocked, 0));

    /// <summary>Keeps traffic for <paramref name="scope"/> off the IP for the cool-down.</summary>
    public async Task DeprioritiseAsync(EgressChoice egress, string scope, string reason)
    {
        await grains.GetGrain<IIpGrain>(egress.Key).DeprioritiseAsync(scope, reason);
        _ips.Remove(egress.Key);
    }
}
