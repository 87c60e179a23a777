using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Sendarix.Core.Ids;

namespace Sendarix.Api.Security;

/// <summary>
/// Who may make which call. <see cref="Tenant"/> (every /v1 call): the operator, or a tenant's key for its own
/// tenant and messages only. <see cref="Operator"/>: the operator key alone (creating tenants, limits, exemptions,
/// API keys, complaints intake).
/// </summary>
public static class ApiPolicies
{
    public const string Tenant = "tenant";
    public const string Operator = "operator";

    public static AuthorizationBuilder AddApiPolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(Tenant, p => p.RequireAuthenticatedUser().AddRequirements(OwnTenantRequirement.Instance))
        .AddPolicy(Operator, p => p.RequireAuthenticatedUser().RequireRole(ApiCaller.OperatorRole));

    public static TBuilder RequireOperator<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Operator);
}

/// <summary>
/// A tenant's key reaches only its own tenant: a call whose route names another tenant, or a message of another
/// tenant, fails this requirement, and <see cref="ApiAuthorizationResults"/> answers it 404, exactly as if the
/// resource did not exist.
/// </summary>
internal sealed class OwnTenantRequirement : AuthorizationHandler<OwnTenantRequirement>, IAuthorizationRequirement
{
    public static readonly OwnTenantRequirement Instance = new();

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, OwnTenantRequirement requirement)
    {
        if (ApiCaller.Of(context.User) is { } caller && context.Resource is HttpContext http
            && (caller.IsOperator || NotOtherTenant(http, caller.TenantId!)))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }

    static bool NotOtherTenant(HttpContext http, string tenantId) =>
        (http.GetRouteValue("tenantId") is not string routeTenant || routeTenant == tenantId)
        && (http.GetRouteValue("messageId") is not string routeMessage || (MessageId.TryParse(routeMessage, out var id) && id.TenantId == tenantId));
}

/// <summary>Refusals as problem details: 404 for another tenant's resource, otherwise the scheme's 401 or 403.</summary>
internal sealed class ApiAuthorizationResults(RefusedCalls refusals) : IAuthorizationMiddlewareResultHandler
{
    readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        // A call that needs the operator key is 403 for a tenant key whatever it names; only then is a foreign id 404.
        if (authorizeResult is { Forbidden: true, AuthorizationFailure: { } failure }
            && failure.FailedRequirements.Any(r => r is OwnTenantRequirement)
            && !failure.FailedRequirements.Any(r => r is RolesAuthorizationRequirement))
        {
            var message = context.GetRouteValue("messageId") as string;
            refusals.Log(context, StatusCodes.Status404NotFound, "Not found");
            await TypedResultsProblem.NotFound(message is not null ? $"Message '{message}'" : $"Tenant '{context.GetRouteValue("tenantId")}'").ExecuteAsync(context);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
