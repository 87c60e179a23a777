using System.Globalization;
using System.Text;
using MimeKit;
using MimeKit.Utils;
using Sendarix.Core.Bounces;
using Sendarix.Core.Events;
using Sendarix.Core.Smtp;

namespace Sendarix.Delivery.Reports;

/// <summary>One recipient in a delivery status notification.</summary>
internal sealed record ReportedRecipient(string Address, string? OriginalRecipient, string Reply, string? RemoteHost, DateTimeOffset At);

/// <summary>
/// Writes an RFC 3464 delivery status notification: a multipart/report (RFC 6522) of a human-readable part, a
/// message/delivery-status part (per-message fields, then one group per recipient), and the original message's header
/// (RET=HDRS or none given) or the whole message (RET=FULL). It comes from the mailer-daemon of the sender's own
/// domain (which the tenant verified, so the notification is signed and aligned like its other mail), and says it was
/// sent automatically (RFC 3834), which makes responders leave it alone.
/// </summary>
internal static class DeliveryStatusReport
{
    public static MimeMessage Compose(string reportingMta, string envelopeSender, string? envelopeId, DsnReturn? ret, DateTimeOffset arrival,
        DsnAction action, IReadOnlyList<ReportedRecipient> recipients, ReadOnlyMemory<byte> original, DateTimeOffset now)
    {
        var domain = envelopeSender[(envelopeSender.LastIndexOf('@') + 1)..];
        var failed = action == DsnAction.Failed;
        var message = new MimeMessage
        {
            Subject = failed ? "Delivery Status Notification (Failure)" : "Delivery Status Notification (Delay)",
            Date = now,
            MessageId = $"{Guid.NewGuid():N}@{domain}",
        };
        message.From.Add(new MailboxAddress("Mail Delivery System", $"mailer-daemon@{domain}"));
        message.To.Add(MailboxAddress.Parse(envelopeSender));
        message.Headers.Add("Auto-Submitted", "auto-replied");

        var text = new StringBuilder();
        text.Append(failed
            ? "Your message could not be delivered to the following recipients. The reply of their mail server says why.\n\n"
            : "Your message has not been delivered yet to the following recipients. The relay keeps trying; you need do nothing now.\n\n");
        foreach (var r in recipients)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {r.Address}\n    {r.Reply}\n");
        }

        var status = new MessageDeliveryStatus();
        var perMessage = new HeaderList { { "Reporting-MTA", $"dns; {reportingMta}" } };
        if (envelopeId is not null)
        {
            perMessage.Add("Original-Envelope-Id", envelopeId);
        }

        perMessage.Add("Arrival-Date", DateUtils.FormatDate(arrival));
        status.StatusGroups.Add(perMessage);
        foreach (var r in recipients)
        {
            var group = new HeaderList();
            if (r.OriginalRecipient is not null)
            {
                group.Add("Original-Recipient", r.OriginalRecipient);
            }

            group.Add("Final-Recipient", $"rfc822; {r.Address}");
            group.Add("Action", failed ? "failed" : "delayed");
            group.Add("Status", EnhancedStatusCode.Of(r.Reply) ?? (failed ? "5.0.0" : "4.0.0"));
            if (r.RemoteHost is { } host)
            {
                group.Add("Remote-MTA", $"dns; {host}");
            }

            // A reply the relay wrote itself (no connection, no reply) is not an SMTP diagnostic.
            if (r.Reply.Length > 3 && char.IsAsciiDigit(r.Reply[0]) && r.Reply[3] == ' ')
            {
                group.Add("Diagnostic-Code", $"smtp; {r.Reply}");
            }

            group.Add("Last-Attempt-Date", DateUtils.FormatDate(r.At));
            status.StatusGroups.Add(group);
        }

        var report = new MultipartReport("delivery-status") { new TextPart("plain") { Text = text.ToString() }, status };
        report.Add(ret == DsnReturn.Full
            ? new MessagePart("rfc822") { Message = MimeMessage.Load(new MemoryStream(original.ToArray())) }
            : new MimePart("text", "rfc822-headers") { Content = new MimeContent(new MemoryStream(HeaderBlock(original))) });
        message.Body = report;
        return message;
    }

    // The original's header: everything up to the first empty line.
    static byte[] HeaderBlock(ReadOnlyMemory<byte> original)
    {
        var span = original.Span;
        var end = span.IndexOf("\r\n\r\n"u8);
        return (end < 0 ? span : span[..(end + 2)]).ToArray();
    }
}
