using Sendarix.Core.Smtp;

namespace Sendarix.Reception.Protocol.Handlers;

/// <summary>
/// The guard's rules for the base protocol: a PROXY line is never trusted, AUTH waits for TLS, and the replies to
/// DATA and STARTTLS move the guard to the message's data or the TLS handshake.
/// </summary>
internal sealed class CoreCommands : ICommandHandler
{
    public async ValueTask<GuardState?> HandleAsync(GuardCommand command, IGuardLink link)
    {
        switch (command.Verb)
        {
            case "PROXY":
                await link.RefuseAsync(GuardVerbs.Proxy);
                return GuardState.Command;

            case "AUTH" when !link.IsSecure:
                await link.RefuseAsync(GuardVerbs.AuthWithoutTls);
                return GuardState.Command;

            case "DATA" when command.Line.Length == 4:
                return await link.PassAndWaitAsync(command) == 354 ? GuardState.Data : GuardState.Command;

            case "STARTTLS" when command.Line.Length == 8:
                return await link.PassAndWaitAsync(command) == 220 ? GuardState.TlsHandshake : GuardState.Command;

            default:
                return null;
        }
    }
}
