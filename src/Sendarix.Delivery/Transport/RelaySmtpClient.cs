using MailKit.Net.Smtp;
using MimeKit;

namespace Sendarix.Delivery.Transport;

/// <summary>
/// MailKit's client as a relay needs it: a refused recipient is recorded instead of aborting the transaction, and
/// the message is sent as received, never re-encoded (which would also break the sender's own signatures).
/// </summary>
internal sealed class RelaySmtpClient : SmtpClient
{
    public Dictionary<string, SmtpResponse> Refused { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Messages sent on the current connection.</summary>
    public int MessagesSent { get; set; }

    /// <summary>When the connection was last returned to the pool.</summary>
    public long IdleSince { get; set; }

    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
        Refused[mailbox.Address] = response;

    protected override void Prepare(FormatOptions options, MimeMessage message, EncodingConstraint constraint, int maxLineLength)
    {
    }
}
