using Microsoft.Extensions.Options;
using Sendarix.Reception.Session;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Sendarix.Reception.Feedback;

/// <summary>
/// The feedback listener's envelope rule: anyone may send (reports come from providers, unauthenticated, often with a
/// null sender), but only to the configured feedback addresses. Nothing received here is ever relayed.
/// </summary>
internal sealed class FeedbackMailboxFilter(IOptions<SmtpOptions> options) : IMailboxFilter
{
    public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox @from, int size, CancellationToken cancellationToken)
    {
        context.Properties[SessionKeys.RecipientCount] = 0;
        return Task.FromResult(true);
    }

    public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox @from, CancellationToken cancellationToken)
    {
        var address = RelayMailboxFilter.Format(to);
        if (!options.Value.FeedbackAddresses.Contains(address, StringComparer.OrdinalIgnoreCase))
        {
            throw new SmtpResponseException(SmtpReplies.NotAFeedbackAddress);
        }

        var count = context.Properties.TryGetValue(SessionKeys.RecipientCount, out var value) && value is int n ? n : 0;
        if (count >= options.Value.MaxRecipients)
        {
            throw new SmtpResponseException(SmtpReplies.TooManyRecipients(options.Value.MaxRecipients));
        }

        context.Properties[SessionKeys.RecipientCount] = count + 1;
        return Task.FromResult(true);
    }
}
