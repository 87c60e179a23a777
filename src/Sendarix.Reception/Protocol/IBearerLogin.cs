using Sendarix.Core.Smtp;

namespace Sendarix.Reception.Protocol;

/// <summary>Checks a bearer token for the guard, which takes SASL XOAUTH2 and OAUTHBEARER in place of the SMTP library.</summary>
internal interface IBearerLogin
{
    Task<BearerLoginResult> LoginAsync(BearerResponse response, CancellationToken cancellationToken);
}

/// <summary>
/// A valid token: the AUTH PLAIN response (a one-time ticket) that logs the library's session in as the token's
/// credential. A refused one: the RFC 6750 error status for the client's error challenge.
/// </summary>
internal sealed record BearerLoginResult(string? PlainResponse, string? Status);
