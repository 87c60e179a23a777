using Sendarix.Core.Smtp;

namespace Sendarix.Reception.Protocol.Handlers;

/// <summary>
/// AUTH PLAIN and LOGIN, which the library takes. Only responses it can parse reach it: anything else would fault
/// the session, so it gets a well-formed, failing response instead, and the failure counts toward the lockout. The
/// guard waits for each reply, so a 334 is known to ask for the next line before the client can send it.
/// </summary>
internal sealed class SaslHandler : ICommandHandler
{
    string? _mechanism;

    public async ValueTask<GuardState?> HandleAsync(GuardCommand command, IGuardLink link)
    {
        var parts = command.Line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        _mechanism = parts.Length > 1 ? parts[1].ToUpperInvariant() : null;
        if (_mechanism == "PLAIN" && parts.Length > 2 && !AuthPayload.IsValidPlain(parts[2]))
        {
            command.Line = $"{parts[0]} {parts[1]} {AuthPayload.FailingPlain}";
        }
        else if (_mechanism == "LOGIN" && parts.Length > 2 && !AuthPayload.IsBase64(parts[2]))
        {
            command.Line = $"{parts[0]} {parts[1]}";
        }

        return await PassAsync(command, link);
    }

    /// <summary>The client's response to the library's 334.</summary>
    public ValueTask<GuardState> ContinueAsync(string line, IGuardLink link) =>
        PassAsync(new GuardCommand("AUTH", Sanitize(line)), link);

    /// <summary>
    /// Ends the library's exchange with failing responses, for a response the guard could not pass on (over the line
    /// limit): the client gets one reply, 500 5.5.6, and the failure counts toward the lockout like a wrong password.
    /// </summary>
    public async ValueTask FailAsync(IGuardLink link)
    {
        var failing = _mechanism == "PLAIN" ? AuthPayload.FailingPlain : "";
        while (await link.PassAndWaitAsync(new GuardCommand("AUTH", failing) { Answer = (code, _) => code == 334 ? null : TooLong }) == 334)
        {
            // LOGIN asks for the password after the username: it gets a failing one too.
        }
    }

    const string TooLong = "500 5.5.6 Authentication exchange line is too long";

    static async ValueTask<GuardState> PassAsync(GuardCommand command, IGuardLink link) =>
        await link.PassAndWaitAsync(command) == 334 ? GuardState.SaslResponse : GuardState.Command;

    string Sanitize(string line) => _mechanism switch
    {
        "PLAIN" => AuthPayload.IsValidPlain(line) ? line : AuthPayload.FailingPlain,
        _ => AuthPayload.IsBase64(line) ? line : "",
    };
}
