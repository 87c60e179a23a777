using MailKit;
using MailKit.Net.Smtp;
using MimeKit;
using Sendarix.Core.Smtp;

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

    /// <summary>
    /// The DSN parameters (RFC 3461) of the message being sent, its recipients' by address; MailKit passes them on
    /// when the server offers DSN. Null: the client asked for nothing, and the next hop's defaults apply.
    /// </summary>
    public OutboundDsn? Dsn { get; set; }

    protected override string? GetEnvelopeId(MimeMessage message) => Dsn?.EnvelopeId;

    protected override DeliveryStatusNotification? GetDeliveryStatusNotifications(MimeMessage message, MailboxAddress mailbox)
    {
        if (Dsn?.Notify.TryGetValue(mailbox.Address, out var notify) != true || notify == DsnNotify.Default)
        {
            return null;
        }

        return notify == DsnNotify.Never ? DeliveryStatusNotification.Never
            : (notify.HasFlag(DsnNotify.Success) ? DeliveryStatusNotification.Success : 0)
              | (notify.HasFlag(DsnNotify.Failure) ? DeliveryStatusNotification.Failure : 0)
              | (notify.HasFlag(DsnNotify.Delay) ? DeliveryStatusNotification.Delay : 0);
    }

    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
        Refused[mailbox.Address] = response;

    protected override void Prepare(FormatOptions options, MimeMessage message, EncodingConstraint constraint, int maxLineLength)
    {
    }
}
