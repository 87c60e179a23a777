using Sendarix.Core.Smtp;

namespace Sendarix.Reception.Protocol.Handlers;

/// <summary>
/// SASL XOAUTH2 and OAUTHBEARER (RFC 7628), which the library cannot take. A valid token becomes an AUTH PLAIN with a
/// one-time ticket, which the library's authenticator turns into the token's credential, so the session is logged in
/// as by a password. A refused one gets the JSON error challenge, and 535 after the client's answer; a malformed one
/// fails through the authenticator too, so that it counts toward the client's lockout.
/// </summary>
internal sealed class BearerHandler(IBearerLogin? bearer) : ICommandHandler
{
    string _mechanism = BearerResponse.XOAuth2;

    public async ValueTask<GuardState?> HandleAsync(GuardCommand command, IGuardLink link)
    {
        var parts = command.Line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var mechanism = parts.Length > 1 ? parts[1].ToUpperInvariant() : null;
        if (bearer is null || mechanism is not (BearerResponse.XOAuth2 or BearerResponse.OAuthBearer))
        {
            return null;
        }

        _mechanism = mechanism;
        if (parts.Length > 2)
        {
            return await LoginAsync(parts[2], link);
        }

        await link.AnswerAsync(() => "334 ");
        return GuardState.BearerResponse;
    }

    /// <summary>
    /// The client's line in the exchange: its first response (after an empty 334), or its answer to the error
    /// challenge, which ends the exchange with 535 (RFC 7628 section 3.2.3). "*" cancels either (RFC 4954).
    /// </summary>
    public async ValueTask<GuardState> ContinueAsync(GuardState state, string line, IGuardLink link)
    {
        if (line == "*")
        {
            await link.AnswerAsync(() => "501 5.7.0 Authentication cancelled");
            return GuardState.Command;
        }

        if (state == GuardState.BearerResponse)
        {
            return await LoginAsync(line, link);
        }

        await FailAsync(link);
        return GuardState.Command;
    }

    async ValueTask<GuardState> LoginAsync(string response, IGuardLink link)
    {
        if (!BearerResponse.TryParse(_mechanism, response, out var token))
        {
            await FailAsync(link);
            return GuardState.Command;
        }

        BearerLoginResult result;
        try
        {
            result = await bearer!.LoginAsync(token, link.Closed);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The cluster could not be asked (the domain, the issuers): a temporary failure, never a 535.
            await link.AnswerAsync(() => "454 4.7.0 Temporary authentication failure; try again later");
            return GuardState.Command;
        }

        if (result.PlainResponse is { } plain)
        {
            await link.PassAsync(new GuardCommand("AUTH", $"AUTH PLAIN {plain}"));
            return GuardState.Command;
        }

        var challenge = BearerResponse.ErrorChallenge(result.Status ?? "invalid_token");
        await link.AnswerAsync(() => $"334 {challenge}");
        return GuardState.BearerErrorAnswer;
    }

    static ValueTask FailAsync(IGuardLink link) => link.PassAsync(new GuardCommand("AUTH", $"AUTH PLAIN {AuthPayload.FailingPlain}"));
}
