using SmtpServer;
using SmtpServer.Authentication;

namespace Sendarix.Reception.Feedback;

/// <summary>
/// The feedback listener offers no AUTH; this refuses it if a client tries anyway (without an authenticator the
/// library would accept every password).
/// </summary>
internal sealed class NoAuthenticator : IUserAuthenticator
{
    public Task<bool> AuthenticateAsync(ISessionContext context, string user, string password, CancellationToken cancellationToken) =>
        Task.FromResult(false);
}
