using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Dashboard;
using Sendarix.Api.Security;
using Sendarix.Dashboard.Sessions;
using Sendarix.Network;

namespace Sendarix.Dashboard;

/// <summary>Where the dashboard's pages are.</summary>
public static class DashboardPaths
{
    public const string Home = "/dashboard";
    public const string SignIn = "/dashboard/sign-in";
    public const string Denied = "/dashboard/denied";
    public const string Orleans = "/orleans";
}

/// <summary>Who may see which page: anyone signed in, or the operator.</summary>
public static class DashboardPolicies
{
    public const string SignedIn = "dashboard";
    public const string Operator = "dashboard-operator";
}

/// <summary>
/// The web dashboard at /dashboard (Razor Pages, server-rendered, no script or style from elsewhere: the relay may
/// run offline) and the Orleans Dashboard at /orleans, both behind the dashboard's sign-in.
/// </summary>
public static class DashboardSetup
{
    public static IServiceCollection AddDashboard(this IServiceCollection services)
    {
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, DashboardSessionHandler>(DashboardSessionHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(DashboardPolicies.SignedIn, p => p.AddAuthenticationSchemes(DashboardSessionHandler.SchemeName).RequireAuthenticatedUser())
            .AddPolicy(DashboardPolicies.Operator, p => p.AddAuthenticationSchemes(DashboardSessionHandler.SchemeName).RequireRole(ApiCaller.OperatorRole));
        // The relay's DNS client, for the provider of waiting destinations.
        services.AddRelayNetwork();
        services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/", DashboardPolicies.SignedIn);
            o.Conventions.AllowAnonymousToPage("/SignIn");
            o.Conventions.AllowAnonymousToPage("/Denied");
            o.Conventions.AuthorizeFolder("/Operator", DashboardPolicies.Operator);

            // The session cookie is SameSite=Strict and every form posts to the dashboard's own origin
            // (SameOriginPosts checks): that is the CSRF defence, with no token to share between nodes.
            o.Conventions.ConfigureFilter(new IgnoreAntiforgeryTokenAttribute());
            o.Conventions.ConfigureFilter(new SameOriginPosts());
        }).AddApplicationPart(typeof(DashboardSetup).Assembly); // found whichever assembly starts the host (tests included)
        return services;
    }

    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapRazorPages();
        app.MapOrleansDashboard(DashboardPaths.Orleans).RequireAuthorization(DashboardPolicies.Operator);
        return app;
    }
}
