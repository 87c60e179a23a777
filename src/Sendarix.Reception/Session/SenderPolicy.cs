using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Sendarix.Contracts.Domains;
using Sendarix.Contracts.Tenants;

namespace Sendarix.Reception.Session;

/// <summary>
/// Whether a tenant may send as a domain: the domain must be one of its verified sender domains, unless the
/// operator lifted the policy for the tenant. Answers are kept for <see cref="SmtpOptions.CredentialCacheDuration"/>,
/// so a domain that fails verification or a changed setting reaches every front-end within that time.
/// </summary>
internal sealed class SenderPolicy(IGrainFactory grains, IOptions<SmtpOptions> options, TimeProvider time)
{
    readonly ConcurrentDictionary<string, (bool Allowed, long Expires)> _cache = new(StringComparer.Ordinal);

    public async Task<bool> AllowsAsync(string tenantId, string domain)
    {
        domain = domain.ToLowerInvariant();
        if (await CachedAsync($"t|{tenantId}", async () => (await grains.GetGrain<ITenantGrain>(tenantId).GetAsync())?.AllowUnverifiedSenders == true))
        {
            return true;
        }

        return await CachedAsync($"d|{tenantId}|{domain}", async () =>
            await grains.GetGrain<IDomainGrain>(domain).GetAsync() is { Status: "verified" } info && info.TenantId == tenantId);
    }

    async Task<bool> CachedAsync(string key, Func<Task<bool>> lookup)
    {
        var now = time.GetTimestamp();
        if (_cache.TryGetValue(key, out var cached) && cached.Expires > now)
        {
            return cached.Allowed;
        }

        var allowed = await lookup();
        _cache[key] = (allowed, now + (long)(options.Value.CredentialCacheDuration.TotalSeconds * time.TimestampFrequency));
        if (_cache.Count > 100_000)
        {
            _cache.Clear();
        }

        return allowed;
    }
}
