using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Sendarix.Api.Security;

/// <summary>
/// "Authorization: Bearer &lt;key&gt;": the operator key, or a tenant's API key ("sxk_…"). No header is no result
/// (the call is then challenged); a key that is not valid fails. Challenges and refusals are problem details.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory loggerFactory, UrlEncoder encoder,
    OperatorKey operatorKey, IGrainFactory grains, RefusedCalls refusals)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        const string bearer = "Bearer ";
        var token = header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) ? header[bearer.Length..].Trim() : "";
        return await ApiCaller.IdentifyAsync(token, operatorKey, grains) is { } caller
            ? AuthenticateResult.Success(new AuthenticationTicket(caller.ToPrincipal(SchemeName), SchemeName))
            : AuthenticateResult.Fail("The key presented is not valid.");
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        refusals.Log(Context, StatusCodes.Status401Unauthorized, "Unauthorized");
        await TypedResultsProblem.Unauthorized().ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        refusals.Log(Context, StatusCodes.Status403Forbidden, "Forbidden");
        await TypedResultsProblem.Forbidden("This call needs the operator key; a tenant's API key cannot make it.").ExecuteAsync(Context);
    }
}
