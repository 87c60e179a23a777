using MimeKit;
using Orleans.Concurrency;
using Sendarix.Core.Events;
using Sendarix.Contracts.Complaints;
using Sendarix.Contracts.Subtenants;
using Sendarix.Contracts.Suppression;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Complaints;
using Sendarix.Core.Ids;
using Sendarix.Storage.Events;
using Sendarix.Storage.Messages;

namespace Sendarix.Grains.Complaints;

/// <summary>
/// Parses a report with MimeKit, finds the relayed message through the relay id in the returned Received header,
/// then records the complained event, suppresses the recipient and counts the complaint against the tenant.
/// </summary>
[StatelessWorker]
public sealed class ComplaintGrain(MessageLedger ledger, EventRecorder events, TimeProvider time) : Grain, IComplaintGrain
{
    public async Task<ComplaintOutcome> ReceiveAsync(byte[] report)
    {
        MimeMessage message;
        try
        {
            using var stream = new MemoryStream(report, writable: false);
            message = await MimeMessage.LoadAsync(stream);
        }
        catch (FormatException)
        {
            return NotAReport("The body is not a MIME message.");
        }

        var parts = message.BodyParts.ToList();
        var feedback = parts.OfType<MimePart>().FirstOrDefault(p => p.ContentType.IsMimeType("message", "feedback-report"));
        if (feedback is null)
        {
            return NotAReport("The report has no message/feedback-report part (RFC 5965).");
        }

        var fields = await LoadHeadersAsync(feedback);
        var original = parts.OfType<MessagePart>().FirstOrDefault()?.Message?.Headers
            ?? (parts.OfType<MimePart>().FirstOrDefault(p => p.ContentType.IsMimeType("text", "rfc822-headers")) is { } headersPart
                ? await LoadHeadersAsync(headersPart) : null);
        if (original is null)
        {
            return NotAReport("The report does not include the original message or its headers.");
        }

        var relayId = FeedbackReport.RelayMessageId(original.Where(h => h.Id == HeaderId.Received).Select(h => h.Value));
        if (!MessageId.TryParse(relayId, out var messageId) || await ledger.GetAsync(messageId, CancellationToken.None) is not { } view)
        {
            return new ComplaintOutcome(ComplaintStatus.MessageNotFound, "The report is about no message relayed here.");
        }

        var recipient = FeedbackReport.RecipientFromField(fields["Original-Rcpt-To"])
            ?? (InternetAddressList.TryParse(original[HeaderId.To] ?? "", out var to) ? to.Mailboxes.FirstOrDefault()?.Address : null);
        var index = view.Recipients.Select((r, i) => (r, i)).FirstOrDefault(x => string.Equals(x.r, recipient, StringComparison.OrdinalIgnoreCase), (null!, -1)).Item2;
        if (index < 0 && view.Recipients.Count == 1)
        {
            index = 0;
        }

        if (index < 0)
        {
            return new ComplaintOutcome(ComplaintStatus.RecipientUnknown,
                "The report does not say which recipient complained (no Original-Rcpt-To or To of this message).", view.Id.ToString(), view.Id.TenantId);
        }

        var complainer = view.Recipients[index];
        var feedbackType = fields["Feedback-Type"]?.Trim() ?? "abuse";
        var history = view.Events.Where(e => e.RecipientIndex == index).ToList();
        var id = view.Id.ToString();

        // A report received again (providers resend, operators replay) is the same complaint: record and count it once.
        if (history.Any(e => e.Type == EventType.Complained))
        {
            return new ComplaintOutcome(ComplaintStatus.Recorded, null, id, view.Id.TenantId, complainer, feedbackType);
        }

        var now = time.GetUtcNow();
        var last = history.MaxBy(e => e.Sequence);
        var sequence = (last?.Sequence ?? 0) + 1;
        await events.RecordAsync([new RelayEvent
        {
            Id = EventIds.ForRecipient(id, index, sequence, EventType.Complained),
            Type = EventType.Complained,
            Time = now,
            TenantId = view.Id.TenantId,
            Subtenant = view.Subtenant,
            Message = view.Context,
            Recipient = complainer,
            RecipientIndex = index,
            Sequence = sequence,
            Attempt = last?.Attempt ?? 0,
            Deferrals = last?.Deferrals ?? 0,
            Reply = $"feedback report: {feedbackType}",
        }], CancellationToken.None);
        // A sub-tenant's message: its own suppression list if it keeps one, and its window, as for its bounces.
        var window = view.Subtenant is { } subtenant ? ISubtenantGrain.Key(view.Id.TenantId, subtenant) : view.Id.TenantId;
        var list = view.Subtenant is null ? view.Id.TenantId : (await GrainFactory.GetGrain<ISubtenantGrain>(window).GetAsync())?.SuppressionList ?? view.Id.TenantId;
        await GrainFactory.GetGrain<ISuppressionGrain>(list).AddAsync([new SuppressedRecipient(complainer, "complaint", now, id)]);
        await GrainFactory.GetGrain<ITenantReputationGrain>(window).RecordAsync(0, 0, 1);
        return new ComplaintOutcome(ComplaintStatus.Recorded, null, id, view.Id.TenantId, complainer, feedbackType);
    }

    static ComplaintOutcome NotAReport(string detail) => new(ComplaintStatus.NotAReport, detail);

    static async Task<HeaderList> LoadHeadersAsync(MimePart part)
    {
        using var content = new MemoryStream();
        if (part.Content is not null)
        {
            await part.Content.DecodeToAsync(content);
        }

        content.Position = 0;
        return await HeaderList.LoadAsync(ParserOptions.Default, content);
    }
}
