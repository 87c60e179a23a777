using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Sendarix.Contracts.Api;
using Sendarix.Dashboard.Sessions;

namespace Sendarix.Dashboard.Pages;

/// <summary>Ends the session everywhere (its grain forgets it) and drops the cookie.</summary>
public sealed class SignOutModel(IGrainFactory grains) : PageModel
{
    public IActionResult OnGet() => LocalRedirect(DashboardPaths.Home);

    public async Task<IActionResult> OnPostAsync()
    {
        if (Request.Cookies.TryGetValue(DashboardSessionHandler.CookieName, out var token) && DashboardSessions.IsWellFormed(token))
        {
            await grains.GetGrain<IDashboardSessionGrain>(DashboardSessions.Key(token)).EndAsync();
        }

        Response.Cookies.Delete(DashboardSessionHandler.CookieName, new Microsoft.AspNetCore.Http.CookieOptions { Path = "/" });
        return LocalRedirect(DashboardPaths.SignIn);
    }
}
