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

    /// <summary>The throttle grain holding this connection's lease, and the lease; null once it no longer counts.</summary>
    public Contracts.Shaping.IThrottleGrain? Throttle { get; set; }

    public string? LeaseId { get; set; }

    /// <summary>When the lease was taken or last renewed.</summary>
    public long LeaseRenewedAt { get; set; }

    /// <summary>Why the server's certificate was refused on the last connect, when TLS had to be verified.</summary>
    public string? CertificateProblem { get; set; }

    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
        Refused[mailbox.Address] = response;

    protected override void Prepare(FormatOptions options, MimeMessage message, EncodingConstraint constraint, int maxLineLength)
    {
    }
}
