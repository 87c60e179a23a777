using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Sendarix.Api.Security;
using Sendarix.Api.Tenants;
using Sendarix.Contracts.Credentials;
using Sendarix.Contracts.Subtenants;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Credentials;
using Sendarix.Core.Subtenants;

namespace Sendarix.Api.Credentials;

public static class CredentialsApi
{
    public static RouteGroupBuilder MapCredentialsApi(this RouteGroupBuilder v1)
    {
        var credentials = v1.MapGroup("/tenants/{tenantId}/credentials").WithTags("Credentials");
        credentials.MapPost("/", IssueAsync).WithName("IssueCredential")
            .WithSummary("Issues SMTP credentials. The secret is in this response only; the relay keeps just its hash.");
        credentials.MapGet("/", ListAsync).WithName("ListCredentials").WithSummary("Lists a tenant's credentials, without secrets.");
        credentials.MapDelete("/{credentialId}", RevokeAsync).WithName("RevokeCredential")
            .WithSummary("Revokes a credential; every front-end refuses it within seconds.");
        return v1;
    }

    internal static async Task<Results<Created<IssuedCredentialResponse>, ProblemHttpResult, ValidationProblem>> IssueAsync(
        string tenantId, IssueCredentialRequest? request, IGrainFactory grains)
    {
        if (LabelProblem(request?.Label) is { } problem)
        {
            return problem;
        }

        var networks = request?.AllowedNetworks;
        var networksProblem = networks is { Count: > 100 } ? "At most 100 networks."
            : !NetworkAllowlist.TryParse(networks, out _, out var invalid)
                ? $"{(invalid is null ? "null" : $"'{invalid}'")} is not a network in CIDR notation (such as 203.0.113.0/24)."
            : null;
        if (networksProblem is not null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["allowedNetworks"] = [networksProblem] });
        }

        string? subtenant = null;
        if (request?.Subtenant is { } named && !SubtenantRules.TryNormalize(named, out subtenant, out var subtenantProblem))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["subtenant"] = [$"The sub-tenant id {subtenantProblem}."] });
        }

        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        if (subtenant is not null && await grains.GetGrain<ISubtenantGrain>(ISubtenantGrain.Key(tenantId, subtenant)).GetAsync() is null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["subtenant"] = [$"The tenant has no sub-tenant {subtenant}: create it first."] });
        }

        var issued = await grains.GetGrain<ITenantGrain>(tenantId).IssueCredentialAsync(request?.Label, request?.AllowedNetworks, CredentialKind.Smtp, subtenant);
        if (issued is null)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        var c = issued.Credential;
        return TypedResults.Created($"/v1/tenants/{tenantId}/credentials/{c.Id}",
            new IssuedCredentialResponse(c.Id, c.Username, issued.Secret, c.Label, c.CreatedAt, c.AllowedNetworks ?? [], c.Subtenant));
    }

    internal static async Task<Results<Ok<CredentialResponse[]>, ProblemHttpResult>> ListAsync(string tenantId, IGrainFactory grains)
    {
        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        var list = await grains.GetGrain<ITenantGrain>(tenantId).ListCredentialsAsync();
        return TypedResults.Ok(list.Where(c => c.Is(CredentialKind.Smtp)).Select(CredentialResponse.From).ToArray());
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(string tenantId, string credentialId, IGrainFactory grains)
    {
        return await RevokeOfKindAsync(grains, tenantId, credentialId, CredentialKind.Smtp)
            ? TypedResults.NoContent()
            : TypedResultsProblem.NotFound($"Credential '{credentialId}' of tenant '{tenantId}'");
    }

    /// <summary>A label (per environment, per service) is at most 100 characters; null when this one is fine.</summary>
    internal static ValidationProblem? LabelProblem(string? label) => label is { Length: > 100 }
        ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["label"] = ["A label has at most 100 characters."] })
        : null;

    /// <summary>Revokes a credential of this kind; false when the tenant has none with this id.</summary>
    internal static async Task<bool> RevokeOfKindAsync(IGrainFactory grains, string tenantId, string credentialId, string kind)
    {
        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return false;
        }

        var tenant = grains.GetGrain<ITenantGrain>(tenantId);
        return (await tenant.ListCredentialsAsync()).Any(c => c.Id == credentialId && c.Is(kind)) && await tenant.RevokeCredentialAsync(credentialId);
    }
}

/// <summary>A new credential: a label (e.g. per environment) and the networks it may be used from (CIDR; none: anywhere).</summary>
/// <summary>A credential to issue; with <see cref="Subtenant"/>, it sends as that sub-tenant only.</summary>
public sealed record IssueCredentialRequest(string? Label, IReadOnlyList<string>? AllowedNetworks, string? Subtenant = null);

public sealed record IssuedCredentialResponse(string Id, string Username, string Secret, string? Label, DateTimeOffset CreatedAt, IReadOnlyList<string> AllowedNetworks,
    string? Subtenant);

public sealed record CredentialResponse(string Id, string Username, string? Label, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt, IReadOnlyList<string> AllowedNetworks,
    string? Subtenant)
{
    public static CredentialResponse From(CredentialInfo c) => new(c.Id, c.Username, c.Label, c.CreatedAt, c.RevokedAt, c.AllowedNetworks ?? [], c.Subtenant);
}
