using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Sendarix.Contracts.Domains;
using Sendarix.Contracts.Suppression;
using Sendarix.Contracts.Tenants;

namespace Sendarix.Reception.Session;

/// <summary>
/// What the front-end asks about a tenant while it sends: its settings and limits, whether it may send as a domain
/// (a verified sender domain of its own, unless the operator lifted the policy), and whether its quotas allow one
/// more message (counted cluster-wide by its quota grain, never cached). Settings and domain answers are kept for
/// <see cref="SmtpOptions.CredentialCacheDuration"/>, so changes reach every front-end within that time.
/// </summary>
internal sealed class TenantPolicy(IGrainFactory grains, IOptions<SmtpOptions> options, TimeProvider time)
{
    readonly ConcurrentDictionary<string, (TenantInfo? Tenant, long Expires)> _tenants = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, (bool Allowed, long Expires)> _domains = new(StringComparer.Ordinal);

    public Task<TenantInfo?> TenantAsync(string tenantId) =>
        CachedAsync(_tenants, tenantId, () => grains.GetGrain<ITenantGrain>(tenantId).GetAsync());

    public async Task<bool> AllowsSenderAsync(TenantInfo tenant, string domain)
    {
        if (tenant.AllowUnverifiedSenders)
        {
            return true;
        }

        // The domain itself, then (when the tenant allows subdomains) each parent with at least two labels.
        domain = domain.ToLowerInvariant();
        for (var candidate = domain; candidate.Contains('.'); candidate = candidate[(candidate.IndexOf('.') + 1)..])
        {
            var name = candidate;
            if (await CachedAsync(_domains, $"{tenant.Id}|{name}", async () =>
                    await grains.GetGrain<IDomainGrain>(name).GetAsync() is { Status: "verified" } info && info.TenantId == tenant.Id))
            {
                return true;
            }

            if (!tenant.AllowSubdomains)
            {
                break;
            }
        }

        return false;
    }

    /// <summary>Whether the tenant refuses this recipient at RCPT because it is suppressed.</summary>
    public async Task<bool> RefusesRecipientAsync(TenantInfo tenant, string address) =>
        tenant.RejectSuppressedRecipients && (await grains.GetGrain<ISuppressionGrain>(tenant.Id).FilterAsync([address])).Count > 0;

    public Task<QuotaResult> TakeQuotaAsync(TenantInfo tenant) => tenant.Limits is { MessagesPerMinute: null, MessagesPerDay: null } or null
        ? Task.FromResult(new QuotaResult(true, null, TimeSpan.Zero))
        : grains.GetGrain<ITenantQuotaGrain>(tenant.Id).TryTakeAsync(tenant.Limits.MessagesPerMinute, tenant.Limits.MessagesPerDay);

    async Task<T> CachedAsync<T>(ConcurrentDictionary<string, (T Value, long Expires)> cache, string key, Func<Task<T>> lookup)
    {
        var now = time.GetTimestamp();
        if (cache.TryGetValue(key, out var cached) && cached.Expires > now)
        {
            return cached.Value;
        }

        var value = await lookup();
        cache[key] = (value, now + (long)(options.Value.CredentialCacheDuration.TotalSeconds * time.TimestampFrequency));
        if (cache.Count > 100_000)
        {
            cache.Clear();
        }

        return value;
    }
}
