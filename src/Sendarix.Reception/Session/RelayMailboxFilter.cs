using Microsoft.Extensions.Options;
using Sendarix.Core.Addressing;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Sendarix.Reception.Session;

/// <summary>
/// Envelope checks: an authenticated tenant, well-formed addresses, a sender domain the tenant may use, and a
/// bounded recipient list.
/// </summary>
internal sealed class RelayMailboxFilter(IOptions<SmtpOptions> options, SenderPolicy senders) : IMailboxFilter
{
    public async Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox @from, int size, CancellationToken cancellationToken)
    {
        if (!context.Properties.TryGetValue(SessionKeys.TenantId, out var tenant) || tenant is not string tenantId)
        {
            throw new SmtpResponseException(SmtpReplies.AuthRequired);
        }

        if (!IsNullSender(@from))
        {
            if (!EmailAddress.TryParse(Format(@from), out var sender))
            {
                throw new SmtpResponseException(SmtpReplies.BadSender);
            }

            if (!await senders.AllowsAsync(tenantId, sender.Domain))
            {
                throw new SmtpResponseException(SmtpReplies.UnverifiedSender("envelope sender", sender.Domain));
            }
        }

        context.Properties[SessionKeys.RecipientCount] = 0;
        return true;
    }

    public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox @from, CancellationToken cancellationToken)
    {
        if (context.Properties.TryGetValue(SessionKeys.RecipientCount, out var value) && value is int count && count >= options.Value.MaxRecipients)
        {
            throw new SmtpResponseException(SmtpReplies.TooManyRecipients);
        }

        if (IsNullSender(to) || !EmailAddress.TryParse(Format(to), out _))
        {
            throw new SmtpResponseException(SmtpReplies.BadRecipient);
        }

        context.Properties[SessionKeys.RecipientCount] = (value as int? ?? 0) + 1;
        return Task.FromResult(true);
    }

    public static bool IsNullSender(IMailbox? mailbox) => mailbox is null || (string.IsNullOrEmpty(mailbox.User) && string.IsNullOrEmpty(mailbox.Host));

    public static string Format(IMailbox? mailbox) => IsNullSender(mailbox) ? "" : $"{mailbox!.User}@{mailbox.Host}";
}
