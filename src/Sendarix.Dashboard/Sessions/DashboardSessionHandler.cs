using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Api.Security;
using Sendarix.Contracts.Api;
using Sendarix.Contracts.Credentials;
using Sendarix.Core.Credentials;

namespace Sendarix.Dashboard.Sessions;

/// <summary>
/// The dashboard's sign-in: an HTTP-only cookie holding a random session token, never a key. The session is kept by
/// a grain keyed by the token's hash, so any API node knows it; a tenant's session ends as soon as the API key it
/// signed in with is revoked. Unauthenticated page requests go to the sign-in page.
/// </summary>
internal sealed class DashboardSessionHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder, IGrainFactory grains)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "DashboardSession";
    public const string CookieName = "sx_session";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Cookies.TryGetValue(CookieName, out var token) || !DashboardSessions.IsWellFormed(token))
        {
            return AuthenticateResult.NoResult();
        }

        if (await grains.GetGrain<IDashboardSessionGrain>(DashboardSessions.Key(token)).GetAsync() is not { } session)
        {
            return AuthenticateResult.Fail("The session has ended.");
        }

        ApiCaller caller;
        if (session.IsOperator)
        {
            caller = ApiCaller.Operator;
        }
        else if (session is { TenantId: { } tenant, KeyUsername: { } username }
            && await grains.GetGrain<ICredentialGrain>(username).GetAsync() is { Revoked: false } record && record.TenantId == tenant)
        {
            caller = ApiCaller.Tenant(tenant, username);
        }
        else
        {
            return AuthenticateResult.Fail("The key the session signed in with is revoked.");
        }

        return AuthenticateResult.Success(new AuthenticationTicket(caller.ToPrincipal(SchemeName), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Redirect($"{DashboardPaths.SignIn}?returnUrl={Uri.EscapeDataString(Request.Path + Request.QueryString)}");
        return Task.CompletedTask;
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.Redirect(DashboardPaths.Denied);
        return Task.CompletedTask;
    }
}

/// <summary>Session tokens: 256 random bits, URL-safe Base64; stored only as their SHA-256.</summary>
public static class DashboardSessions
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    public static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static bool IsWellFormed(string? token) => SmtpCredentialSecret.IsWellFormedSecret(token);

    public static string Key(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
