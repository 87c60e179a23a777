using Sendarix.Core.Smtp;

namespace Sendarix.Reception.Protocol.Handlers;

/// <summary>
/// SMTPUTF8 (RFC 6531). The library reads a path's domain as ASCII (each UTF-8 byte becomes '?'), so a UTF-8 domain
/// reaches it as its A-label; UTF-8 local parts pass unchanged. A non-ASCII path in a transaction whose MAIL did not
/// ask for SMTPUTF8 is refused with 553 5.6.7 and never reaches the library.
/// </summary>
internal sealed class SmtpUtf8Handler : ICommandHandler
{
    volatile bool _asked;

    /// <summary>Whether the current transaction's MAIL asked for SMTPUTF8.</summary>
    public bool Asked => _asked;

    public async ValueTask<GuardState?> HandleAsync(GuardCommand command, IGuardLink link)
    {
        var isMail = command.Verb == "MAIL";
        if (isMail)
        {
            _asked = InternationalPath.AsksForSmtpUtf8(command.Line);
        }

        if (!InternationalPath.TryNormalize(command.Line, _asked, sender: isMail, out var line, out var refusal))
        {
            await link.AnswerAsync(() => refusal);
            return GuardState.Command;
        }

        command.Line = line;
        return null;
    }
}
