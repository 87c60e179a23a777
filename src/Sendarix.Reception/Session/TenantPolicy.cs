using Microsoft.Extensions.Options;
using Sendarix.Contracts.Domains;
using Sendarix.Contracts.Suppression;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Addressing;
using Sendarix.Core.Caching;
using Sendarix.Core.Domains;

namespace Sendarix.Reception.Session;

/// <summary>
/// What the front-end asks about a tenant while it sends: its settings and limits, whether it may send as a domain
/// (a verified sender domain of its own; the operator's exemption lifts verification, never another tenant's claim), and whether its quotas allow one
/// more message (counted cluster-wide by its quota grain, never cached). Settings and domain answers are kept for
/// <see cref="SmtpOptions.CredentialCacheDuration"/>, so changes reach every front-end within that time.
/// </summary>
internal sealed class TenantPolicy(IGrainFactory grains, IOptions<SmtpOptions> options, TimeProvider time)
{
    readonly ExpiringCache<TenantInfo?> _tenants = new(time, options.Value.CredentialCacheDuration);
    readonly ExpiringCache<DomainHolder?> _holders = new(time, options.Value.CredentialCacheDuration);

    public Task<TenantInfo?> TenantAsync(string tenantId) =>
        _tenants.GetOrAddAsync(tenantId, () => grains.GetGrain<ITenantGrain>(tenantId).GetAsync());

    // Sender domains are kept in their A-label form: a From header may spell the domain in its U-labels.
    public Task<bool> AllowsSenderAsync(TenantInfo tenant, string domain) =>
        DomainName.TryToAscii(domain, out var ascii)
            ? SenderAuthority.AllowsAsync(tenant.Id, ascii, tenant.AllowUnverifiedSenders, tenant.AllowSubdomains, name =>
                _holders.GetOrAddAsync(name, async () =>
                    await grains.GetGrain<IDomainGrain>(name).GetAsync() is { } info ? new DomainHolder(info.TenantId, info.Status == "verified") : null))
            : Task.FromResult(false);

    /// <summary>Whether the tenant refuses this recipient at RCPT because it is suppressed.</summary>
    public async Task<bool> RefusesRecipientAsync(TenantInfo tenant, string address) =>
        tenant.RejectSuppressedRecipients && (await grains.GetGrain<ISuppressionGrain>(tenant.Id).FilterAsync([address])).Count > 0;

    public Task<QuotaResult> TakeQuotaAsync(TenantInfo tenant) => tenant.Limits is { MessagesPerMinute: null, MessagesPerDay: null } or null
        ? Task.FromResult(new QuotaResult(true, null, TimeSpan.Zero))
        : grains.GetGrain<ITenantQuotaGrain>(tenant.Id).TryTakeAsync(tenant.Limits.MessagesPerMinute, tenant.Limits.MessagesPerDay);
}
