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

    /// <summary>
    /// Sends one transaction whose commands the relay writes itself (<see cref="EnvelopeCommands"/>), one at a time,
    /// for what MailKit cannot say: a client's own ORCPT. It answers as MailKit's SendAsync does: refused recipients
    /// in <see cref="Refused"/>, a refused transaction as <see cref="SmtpCommandException"/> after a RSET, with the
    /// same error codes.
    /// </summary>
    public async Task<string> SendWrittenAsync(MailboxAddress? sender, IReadOnlyList<MailboxAddress> recipients, ReadOnlyMemory<byte> body,
        string data, bool smtpUtf8, CancellationToken cancellationToken)
    {
        var dsn = Dsn ?? throw new InvalidOperationException("A written transaction carries DSN parameters.");
        var idnEncode = !Capabilities.HasFlag(SmtpCapabilities.UTF8);
        var eightBit = body.Span.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0 && Capabilities.HasFlag(SmtpCapabilities.EightBitMime);
        var mail = await SendCommandAsync(EnvelopeCommands.Mail(sender?.GetAddress(idnEncode) ?? "", Capabilities.HasFlag(SmtpCapabilities.Size) ? body.Length : null,
            eightBit, smtpUtf8, dsn.Return ?? DsnReturn.Unspecified, dsn.EnvelopeId), cancellationToken);
        if (!IsPositive(mail))
        {
            await RefuseAsync(SmtpErrorCode.SenderNotAccepted, mail, cancellationToken);
        }

        var accepted = 0;
        foreach (var mailbox in recipients)
        {
            var rcpt = await SendCommandAsync(EnvelopeCommands.Rcpt(mailbox.GetAddress(idnEncode), dsn.Notify.GetValueOrDefault(mailbox.Address),
                dsn.OriginalRecipients.GetValueOrDefault(mailbox.Address)), cancellationToken);
            if (IsPositive(rcpt))
            {
                accepted++;
            }
            else
            {
                Refused[mailbox.Address] = rcpt;
            }
        }

        if (accepted == 0)
        {
            await RefuseAsync(SmtpErrorCode.MessageNotAccepted, new SmtpResponse(SmtpStatusCode.TransactionFailed, "No recipients were accepted."), cancellationToken);
        }

        var start = await SendCommandAsync("DATA", cancellationToken);
        if (start.StatusCode != SmtpStatusCode.StartMailInput)
        {
            await RefuseAsync(SmtpErrorCode.UnexpectedStatusCode, start, cancellationToken);
        }

        var end = await SendCommandAsync(data, cancellationToken);
        return IsPositive(end) ? end.Response : throw new SmtpCommandException(SmtpErrorCode.MessageNotAccepted, end.StatusCode, end.Response);
    }

    /// <summary>A success; 530 (a login needed) is thrown as MailKit throws it.</summary>
    static bool IsPositive(SmtpResponse response) => response.StatusCode == SmtpStatusCode.AuthenticationRequired
        ? throw new ServiceNotAuthenticatedException(response.Response)
        : (int)response.StatusCode is >= 200 and < 300;

    /// <summary>Ends the refused transaction with RSET, as MailKit does, so the connection can carry the next one.</summary>
    async Task RefuseAsync(SmtpErrorCode error, SmtpResponse response, CancellationToken cancellationToken)
    {
        if (response.StatusCode != SmtpStatusCode.ServiceNotAvailable)
        {
            try
            {
                await SendCommandAsync("RSET", cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or SmtpProtocolException)
            {
                // MailKit has closed the connection; the refusal below is what the attempt reports.
            }
        }

        throw new SmtpCommandException(error, response.StatusCode, response.Response);
    }

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
