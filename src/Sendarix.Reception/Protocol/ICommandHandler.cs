namespace Sendarix.Reception.Protocol;

/// <summary>One extension or rule of the guard: it sees the commands the state table gives it before the library does.</summary>
internal interface ICommandHandler
{
    /// <summary>
    /// Takes part in a command: rewrites its line, watches its reply, or answers it. Returns the next state when it
    /// dealt with the command (answered, refused or passed it itself); null: the next handler, then the library, gets it.
    /// </summary>
    ValueTask<GuardState?> HandleAsync(GuardCommand command, IGuardLink link);
}
