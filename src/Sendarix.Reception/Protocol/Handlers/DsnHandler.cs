using Sendarix.Core.Smtp;

namespace Sendarix.Reception.Protocol.Handlers;

/// <summary>
/// DSN parameters (RFC 3461), which the library does not know: RET and ENVID are taken off MAIL, NOTIFY and ORCPT off
/// RCPT, so the library gets each command without them. A recipient's are kept when the reply to its RCPT accepts it,
/// so they line up with the transaction's recipients in envelope order. A malformed one is refused in its place.
/// </summary>
internal sealed class DsnHandler : ICommandHandler
{
    readonly List<DsnRecipient> _recipients = [];
    (DsnReturn Return, string? EnvelopeId)? _mail;

    public async ValueTask<GuardState?> HandleAsync(GuardCommand command, IGuardLink link)
    {
        switch (command.Verb)
        {
            case "MAIL":
                _mail = null;
                if (!DsnParameters.TryTakeFromMail(command.Line, out var mail, out var ret, out var envelopeId, out var refusal))
                {
                    await link.AnswerAsync(() => refusal);
                    return GuardState.Command;
                }

                command.Line = mail;
                _mail = ret != DsnReturn.Unspecified || envelopeId is not null ? (ret, envelopeId) : null;
                command.WhenReplied(_ => _recipients.Clear());
                return null;

            case "RCPT":
                if (!DsnParameters.TryTakeFromRcpt(command.Line, out var rcpt, out var dsn, out var rcptRefusal))
                {
                    await link.AnswerAsync(() => rcptRefusal);
                    return GuardState.Command;
                }

                command.Line = rcpt;
                command.WhenReplied(code =>
                {
                    if (code is 250 or 251)
                    {
                        _recipients.Add(dsn);
                    }
                });
                return null;

            default:
                // RSET, HELO, EHLO: no transaction, so no parameters of one.
                _mail = null;
                return null;
        }
    }

    /// <summary>The current transaction's DSN parameters; null when the client gave none, as nearly all do.</summary>
    public DsnEnvelope? Envelope()
    {
        if (_mail is null && _recipients.TrueForAll(d => d.IsEmpty))
        {
            return null;
        }

        var (ret, envelopeId) = _mail ?? (DsnReturn.Unspecified, null);
        return new DsnEnvelope(ret, envelopeId, [.. _recipients]);
    }
}
