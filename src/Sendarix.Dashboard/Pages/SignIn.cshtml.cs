using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sendarix.Api.Security;
using Sendarix.Contracts.Api;
using Sendarix.Dashboard.Sessions;

namespace Sendarix.Dashboard.Pages;

/// <summary>Signs in with a key, checked as the API checks it; the browser keeps only a session token.</summary>
public sealed class SignInModel(OperatorKey operatorKey, IGrainFactory grains, TimeProvider time) : PageModel
{
    const int MaxKeyLength = 512;

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public string? Problem { get; private set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? key)
    {
        var caller = key is { Length: > 0 and <= MaxKeyLength } ? await ApiCaller.IdentifyAsync(key.Trim(), operatorKey, grains) : null;
        if (caller is null)
        {
            Problem = "That key is not valid: use the operator key or an API key that has not been revoked.";
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }

        var token = DashboardSessions.NewToken();
        var expires = time.GetUtcNow() + DashboardSessions.Lifetime;
        await grains.GetGrain<IDashboardSessionGrain>(DashboardSessions.Key(token))
            .StartAsync(new DashboardSession(caller.IsOperator, caller.TenantId, caller.IsOperator ? null : caller.Id["key:".Length..], expires));
        Response.Cookies.Append(DashboardSessionHandler.CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = Request.IsHttps,
            Path = "/",
            Expires = expires,
        });

        // Only a path of this site: never a redirect elsewhere.
        var home = caller.IsOperator ? "/dashboard/operator" : "/dashboard/overview";
        return LocalRedirect(ReturnUrl is { } url && Url.IsLocalUrl(url) && url.StartsWith(DashboardPaths.Home, StringComparison.Ordinal) || ReturnUrl?.StartsWith(DashboardPaths.Orleans, StringComparison.Ordinal) == true && Url.IsLocalUrl(ReturnUrl)
            ? ReturnUrl! : home);
    }
}
