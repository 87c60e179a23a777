using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Sendarix.Api.Security;
using Sendarix.Api.Tenants;
using Sendarix.Contracts.Credentials;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Credentials;

namespace Sendarix.Api.Credentials;

/// <summary>
/// Tenant API keys: what a tenant's own software presents to this API. A key sees and changes only its tenant's
/// resources (credentials, domains, suppressions, messages, events); the operator issues and revokes keys.
/// </summary>
public static class ApiKeysApi
{
    public static RouteGroupBuilder MapApiKeysApi(this RouteGroupBuilder v1)
    {
        var keys = v1.MapGroup("/tenants/{tenantId}/api-keys").WithTags("API keys").RequireOperator();
        keys.MapPost("/", IssueAsync).WithName("IssueApiKey")
            .WithSummary("Issues an API key for the tenant. The key is in this response only; the relay keeps just its hash.");
        keys.MapGet("/", ListAsync).WithName("ListApiKeys").WithSummary("Lists the tenant's API keys, without the keys themselves.");
        keys.MapDelete("/{keyId}", RevokeAsync).WithName("RevokeApiKey").WithSummary("Revokes an API key; it is refused from the next call.");
        return v1;
    }

    static async Task<Results<Created<IssuedApiKeyResponse>, ProblemHttpResult, ValidationProblem>> IssueAsync(
        string tenantId, IssueApiKeyRequest? request, IGrainFactory grains)
    {
        if (CredentialsApi.LabelProblem(request?.Label) is { } problem)
        {
            return problem;
        }

        var issued = await TenantsApi.FindAsync(grains, tenantId) is null
            ? null
            : await grains.GetGrain<ITenantGrain>(tenantId).IssueCredentialAsync(request?.Label, null, CredentialKind.Api);
        if (issued is null)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        var c = issued.Credential;
        return TypedResults.Created($"/v1/tenants/{tenantId}/api-keys/{c.Id}",
            new IssuedApiKeyResponse(c.Id, ApiKeyToken.Format(c.Username, issued.Secret), c.Label, c.CreatedAt));
    }

    static async Task<Results<Ok<ApiKeyResponse[]>, ProblemHttpResult>> ListAsync(string tenantId, IGrainFactory grains)
    {
        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        var list = await grains.GetGrain<ITenantGrain>(tenantId).ListCredentialsAsync();
        return TypedResults.Ok(list.Where(c => c.Is(CredentialKind.Api)).Select(c => new ApiKeyResponse(c.Id, c.Label, c.CreatedAt, c.RevokedAt)).ToArray());
    }

    static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(string tenantId, string keyId, IGrainFactory grains) =>
        await CredentialsApi.RevokeOfKindAsync(grains, tenantId, keyId, CredentialKind.Api)
            ? TypedResults.NoContent()
            : TypedResultsProblem.NotFound($"API key '{keyId}' of tenant '{tenantId}'");
}

public sealed record IssueApiKeyRequest(string? Label);

public sealed record IssuedApiKeyResponse(string Id, string Key, string? Label, DateTimeOffset CreatedAt);

public sealed record ApiKeyResponse(string Id, string? Label, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);
