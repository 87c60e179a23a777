using Microsoft.Extensions.Options;
using Sendarix.Contracts.Domains;
using Sendarix.Contracts.Subtenants;
using Sendarix.Contracts.Suppression;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Addressing;
using Sendarix.Core.Caching;
using Sendarix.Core.Domains;
using Sendarix.Core.Subtenants;
using SmtpServer.Protocol;

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
    readonly ExpiringCache<SubtenantInfo?> _subtenants = new(time, options.Value.CredentialCacheDuration);

    public Task<TenantInfo?> TenantAsync(string tenantId) =>
        _tenants.GetOrAddAsync(tenantId, () => grains.GetGrain<ITenantGrain>(tenantId).GetAsync());

    // Sender domains are kept in their A-label form: a From header may spell the domain in its U-labels.
    public Task<bool> AllowsSenderAsync(TenantInfo tenant, string domain) =>
        DomainName.TryToAscii(domain, out var ascii)
            ? SenderAuthority.AllowsAsync(tenant.Id, ascii, tenant.AllowUnverifiedSenders, tenant.AllowSubdomains, name =>
                _holders.GetOrAddAsync(name, async () =>
                    await grains.GetGrain<IDomainGrain>(name).GetAsync() is { } info ? new DomainHolder(info.TenantId, info.Status == "verified") : null))
            : Task.FromResult(false);

    /// <summary>Whether the tenant refuses this recipient at RCPT because it is suppressed (on the sub-tenant's own list, if it keeps one).</summary>
    public async Task<bool> RefusesRecipientAsync(TenantInfo tenant, SubtenantInfo? subtenant, string address) =>
        tenant.RejectSuppressedRecipients
        && (await grains.GetGrain<ISuppressionGrain>(subtenant?.SuppressionList ?? tenant.Id).FilterAsync([address])).Count > 0;

    /// <summary>
    /// The sub-tenant a message names (<paramref name="choice"/>), once it is known to exist and is not paused; any
    /// other answer is the reply that refuses the message, saying why.
    /// </summary>
    public async Task<(SubtenantInfo? Subtenant, SmtpResponse? Refusal)> ResolveSubtenantAsync(TenantInfo tenant, SubtenantChoice choice)
    {
        if (choice.Refusal is { } refusal)
        {
            return (null, SmtpReplies.SubtenantRefused(refusal));
        }

        var (subtenant, unknown) = await SubtenantAsync(tenant, choice.Subtenant!);
        return subtenant switch
        {
            null => (null, SmtpReplies.SubtenantRefused(unknown!)),
            { PausedReason: { } paused } => (null, SmtpReplies.SubtenantPaused(subtenant.Id, paused)),
            _ => (subtenant, null),
        };
    }

    /// <summary>
    /// The tenant's sub-tenant of this id (well-formed), created on first use when the tenant allows it; or the text of
    /// the refusal when it is unknown or the tenant has as many as it may.
    /// </summary>
    async Task<(SubtenantInfo? Subtenant, string? Refusal)> SubtenantAsync(TenantInfo tenant, string id)
    {
        var key = ISubtenantGrain.Key(tenant.Id, id);
        if (await _subtenants.GetOrAddAsync(key, () => grains.GetGrain<ISubtenantGrain>(key).GetAsync()) is { } known)
        {
            return (known, null);
        }

        if (!tenant.ImplicitSubtenants)
        {
            return (null, $"5.7.1 Unknown sub-tenant {id}: create it through the API first (or let the tenant create sub-tenants on first use)");
        }

        var created = await grains.GetGrain<ISubtenantGrain>(key).CreateAsync(null, implicitly: true, tenant.MaxSubtenants ?? SubtenantRules.DefaultMaxPerTenant);
        if (created.Subtenant is not { } made)
        {
            return (null, $"5.7.1 Sub-tenant {id} cannot be created: the account has {created.Limit} sub-tenants, as many as it may have");
        }

        // The cached "unknown" goes, so the next message finds the sub-tenant.
        _subtenants.Remove(key);
        return (made, null);
    }

    public Task<QuotaResult> TakeQuotaAsync(TenantInfo tenant) => TakeQuotaAsync(tenant.Id, tenant.Limits);

    /// <summary>Whether the sub-tenant's own quotas allow one more message (the tenant's are taken apart).</summary>
    public Task<QuotaResult> TakeQuotaAsync(SubtenantInfo subtenant) => TakeQuotaAsync(ISubtenantGrain.Key(subtenant.TenantId, subtenant.Id), subtenant.Limits);

    Task<QuotaResult> TakeQuotaAsync(string key, SendingLimits? limits) => limits is { MessagesPerMinute: null, MessagesPerDay: null } or null
        ? Task.FromResult(new QuotaResult(true, null, TimeSpan.Zero))
        : grains.GetGrain<ITenantQuotaGrain>(key).TryTakeAsync(limits.MessagesPerMinute, limits.MessagesPerDay);
}
