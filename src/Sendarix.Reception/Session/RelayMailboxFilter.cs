using Microsoft.Extensions.Options;
using Sendarix.Core.Addressing;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;
using Sendarix.Contracts.Subtenants;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Subtenants;

namespace Sendarix.Reception.Session;

/// <summary>
/// Envelope checks: an authenticated tenant, well-formed addresses, a sender domain the tenant may use, the
/// tenant's quotas and size limit, and a recipient list within the relay's and the tenant's limits. The sandbox's
/// submission addresses are refused on purpose before any of the recipient checks.
/// </summary>
internal sealed class RelayMailboxFilter(IOptions<SmtpOptions> options, TenantPolicy tenants, SubmissionSandbox sandbox) : IMailboxFilter
{
    public async Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox @from, int size, CancellationToken cancellationToken)
    {
        if (!context.Properties.TryGetValue(SessionKeys.TenantId, out var id) || id is not string tenantId
            || await tenants.TenantAsync(tenantId) is not { } tenant)
        {
            throw new SmtpResponseException(SmtpReplies.AuthRequired);
        }

        if (tenant.PausedReason is { } paused)
        {
            throw new SmtpResponseException(SmtpReplies.Paused(paused));
        }

        context.Properties.Remove(SessionKeys.Subtenant);
        SubtenantInfo? sub = null;
        var credentialSubtenant = context.Properties.TryGetValue(SessionKeys.CredentialSubtenant, out var c) ? c as string : null;
        var subaddress = context.Properties.TryGetValue(SessionKeys.Subaddress, out var s) ? s as string : null;
        if (credentialSubtenant is not null || subaddress is not null)
        {
            var (subtenant, refusal) = await tenants.ResolveSubtenantAsync(tenant, SubtenantRules.Choose(credentialSubtenant, subaddress, []));
            sub = subtenant ?? throw new SmtpResponseException(refusal!);
            if (sub.Limits?.MaxMessageSize is { } subtenantMax && size > subtenantMax)
            {
                throw new SmtpResponseException(SmtpReplies.TooLargeForAccount(subtenantMax));
            }
        }

        if (tenant.Limits?.MaxMessageSize is { } maxSize && size > maxSize)
        {
            throw new SmtpResponseException(SmtpReplies.TooLargeForAccount(maxSize));
        }

        if (!IsNullSender(@from))
        {
            if (!EmailAddress.TryParse(Format(@from), out var sender))
            {
                throw new SmtpResponseException(SmtpReplies.BadSender);
            }

            if (!await tenants.AllowsSenderAsync(tenant, sender.Domain))
            {
                throw new SmtpResponseException(SmtpReplies.UnverifiedSender("envelope sender", sender.Domain));
            }
        }

        // The sub-tenant's quota first: a message it refuses takes nothing of the tenant's.
        if (sub is not null && await tenants.TakeQuotaAsync(sub) is { Allowed: false } subtenantQuota)
        {
            throw new SmtpResponseException(SmtpReplies.OverQuota(subtenantQuota.Limit!, subtenantQuota.RetryAfter));
        }

        if (await tenants.TakeQuotaAsync(tenant) is { Allowed: false } quota)
        {
            throw new SmtpResponseException(SmtpReplies.OverQuota(quota.Limit!, quota.RetryAfter));
        }

        if (sub is not null)
        {
            context.Properties[SessionKeys.Subtenant] = sub;
        }

        context.Properties[SessionKeys.Tenant] = tenant;
        context.Properties[SessionKeys.RecipientCount] = 0;
        return true;
    }

    public async Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox @from, CancellationToken cancellationToken)
    {
        if (sandbox.AtRecipient(Format(to)) is { } simulated)
        {
            throw new SmtpResponseException(simulated);
        }

        var limit = options.Value.MaxRecipients;
        if (context.Properties.TryGetValue(SessionKeys.Tenant, out var t) && t is TenantInfo { Limits.RecipientsPerMessage: { } accountLimit })
        {
            limit = Math.Min(limit, accountLimit);
        }

        if (context.Properties.TryGetValue(SessionKeys.Subtenant, out var st) && st is SubtenantInfo { Limits.RecipientsPerMessage: { } subtenantLimit })
        {
            limit = Math.Min(limit, subtenantLimit);
        }

        if (context.Properties.TryGetValue(SessionKeys.RecipientCount, out var value) && value is int count && count >= limit)
        {
            throw new SmtpResponseException(SmtpReplies.TooManyRecipients(limit));
        }

        if (IsNullSender(to) || !EmailAddress.TryParse(Format(to), out _))
        {
            throw new SmtpResponseException(SmtpReplies.BadRecipient);
        }

        if (t is TenantInfo tenant && await tenants.RefusesRecipientAsync(tenant, st as SubtenantInfo, Format(to)))
        {
            throw new SmtpResponseException(SmtpReplies.SuppressedRecipient);
        }

        context.Properties[SessionKeys.RecipientCount] = (value as int? ?? 0) + 1;
        return true;
    }

    public static bool IsNullSender(IMailbox? mailbox) => mailbox is null || (string.IsNullOrEmpty(mailbox.User) && string.IsNullOrEmpty(mailbox.Host));

    public static string Format(IMailbox? mailbox) => IsNullSender(mailbox) ? "" : $"{mailbox!.User}@{mailbox.Host}";
}
