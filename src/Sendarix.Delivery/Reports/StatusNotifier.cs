using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Bounces;
using Sendarix.Core.Caching;
using Sendarix.Core.Ids;
using Sendarix.Delivery.Worker;
using Sendarix.Storage.Acceptance;
using Sendarix.Storage.Messages;

namespace Sendarix.Delivery.Reports;

/// <summary>
/// Mails delivery status notifications for the tenants that want them (off by default: events and webhooks report
/// every outcome). A round's recipients that need one (<see cref="DsnRules"/>) get one notification per action, accepted
/// like a submitted message (durably, from the null sender, to the original envelope sender) before the round's
/// outcomes are recorded. A notification that cannot be stored is logged, never retried with the round: the round's
/// outcomes stand, and the events still say what happened.
/// </summary>
internal sealed partial class StatusNotifier(
    IGrainFactory grains,
    IMessageAcceptor acceptor,
    IOptions<DeliveryOptions> options,
    TimeProvider time,
    ILogger<StatusNotifier> logger)
{
    static readonly FormatOptions Format = CreateFormat();

    readonly ExpiringCache<bool> _wanted = new(time, TimeSpan.FromSeconds(5));

    public async Task NotifyAsync(GroupOutcome outcome, ReadOnlyMemory<byte> original, CancellationToken cancellationToken)
    {
        var item = outcome.Item;
        if (outcome.Simulated || item.From.Length == 0)
        {
            return;
        }

        var due = outcome.Decisions
            .Select(d => (Decision: d, Action: DsnRules.For(item.From, d.Recipient.Notify, d.Disposition.Kind, d.Recipient.Deferrals)))
            .Where(d => d.Action != DsnAction.None).ToList();
        if (due.Count == 0
            || !await _wanted.GetOrAddAsync(item.TenantId, async () => (await grains.GetGrain<ITenantGrain>(item.TenantId).GetAsync())?.DeliveryStatusNotifications == true))
        {
            return;
        }

        var now = time.GetUtcNow();
        foreach (var group in due.GroupBy(d => d.Action))
        {
            var recipients = group.Select(d => new ReportedRecipient(d.Decision.Recipient.Address, d.Decision.Recipient.OriginalRecipient,
                d.Decision.Reply.ToString(), d.Decision.RemoteHost, now)).ToList();
            var report = DeliveryStatusReport.Compose(options.Value.HeloName, item.From, item.EnvelopeId, item.Return, item.AcceptedAt, group.Key, recipients, original, now);
            using var stream = new MemoryStream();
            await report.WriteToAsync(Format, stream, cancellationToken);
            var id = MessageId.New(item.TenantId, now);
            try
            {
                await acceptor.AcceptAsync(new AcceptedMessage(id, "", [item.From], stream.ToArray(), now, null, report.MessageId, report.Subject), cancellationToken);
                LogQueued(logger, id.ToString(), group.Key.ToString(), item.MessageId, recipients.Count);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogNotQueued(logger, ex, item.MessageId);
            }
        }
    }

    static FormatOptions CreateFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        return format;
    }

    [LoggerMessage(EventId = 4110, EventName = "StatusNotificationQueued", Level = LogLevel.Information,
        Message = "Delivery status notification {NotificationId} ({Action}) for {MessageId} queued, {Count} recipient(s)")]
    static partial void LogQueued(ILogger logger, string notificationId, string action, string messageId, int count);

    [LoggerMessage(EventId = 4111, EventName = "StatusNotificationNotQueued", Level = LogLevel.Warning,
        Message = "A delivery status notification for {MessageId} could not be stored; its events still report the outcome")]
    static partial void LogNotQueued(ILogger logger, Exception exception, string messageId);
}
