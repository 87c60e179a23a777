using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Sendarix.Api.Complaints;
using Sendarix.Api.Credentials;
using Sendarix.Api.Destinations;
using Sendarix.Api.Domains;
using Sendarix.Api.Egress;
using Sendarix.Api.Events;
using Sendarix.Api.Held;
using Sendarix.Api.Messages;
using Sendarix.Api.Providers;
using Sendarix.Api.Security;
using Sendarix.Api.Stats;
using Sendarix.Api.Subtenants;
using Sendarix.Api.Suppression;
using Sendarix.Api.Tenants;
using Sendarix.Api.Upstreams;
using Sendarix.Api.Webhooks;
using Scalar.AspNetCore;

namespace Sendarix.Api;

public static class ManagementApi
{
    /// <summary>Services of the management API; <paramref name="operatorKey"/> is the key every /v1 call must present.</summary>
    public static IServiceCollection AddManagementApi(this IServiceCollection services, string operatorKey, ApiOptions options)
    {
        services.AddSingleton(new OperatorKey(operatorKey));
        services.AddSingleton<RefusedCalls>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddApiPolicies();
        services.AddSingleton<IAuthorizationHandler>(OwnTenantRequirement.Instance);
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ApiAuthorizationResults>();
        services.AddApiRateLimits(options);
        services.AddProblemDetails();
        services.AddOpenApi(o => o.AddDocumentTransformer<BearerSchemeTransformer>().AddOperationTransformer<IdempotencyKeyTransformer>());
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));

        // A body or parameter that cannot be read is a 400 problem in every environment. Development would otherwise
        // throw it, and the exception handler answers any exception with a 500 and logs it as an error with its trace.
        services.PostConfigure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = false);
        return services;
    }

    /// <summary>
    /// Who the caller is (authentication), what it may call (authorization), its rate limit, then its Idempotency-Key:
    /// in this order, after routing and before the calls.
    /// </summary>
    public static IApplicationBuilder UseManagementApi(this IApplicationBuilder app) => app
        .UseAuthentication()
        .UseAuthorization()
        .UseRateLimiter()
        .UseMiddleware<IdempotencyKeys>();

    /// <summary>
    /// Maps /v1 (the operator key, or a tenant's API key for that tenant's calls), the OpenAPI document at
    /// /openapi/v1.json and an interactive reference of it at /docs (served from the package, nothing from a CDN).
    /// </summary>
    public static IEndpointRouteBuilder MapManagementApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi();
        app.MapScalarApiReference("/docs", o => o.WithTitle("Sendarix management API").WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .AddPreferredSecuritySchemes(BearerSchemeTransformer.Scheme));
        app.MapGroup("/v1")
            .RequireAuthorization(ApiPolicies.Tenant)
            .RequireRateLimiting(ApiRateLimits.Policy)
            .WithMetadata(AcceptsIdempotencyKey.Instance)
            .AddEndpointFilter<RefusedCallLog>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .MapTenantsApi()
            .MapCredentialsApi()
            .MapApiKeysApi()
            .MapDomainsApi()
            .MapTenantEventsApi()
            .MapSuppressionsApi()
            .MapComplaintsApi()
            .MapMessagesApi()
            .MapStatsApi()
            .MapDestinationsApi()
            .MapProvidersApi()
            .MapEgressApi()
            .MapWebhooksApi()
            .MapWebhookDeliveriesApi()
            .MapUpstreamsApi()
            .MapOAuthIssuersApi()
            .MapSubtenantsApi()
            .MapHeldApi();
        return app;
    }
}
