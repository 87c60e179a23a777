using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Sendarix.Api.Security;
using Sendarix.Api.Tenants;
using Sendarix.Contracts.Credentials;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Upstreams;

namespace Sendarix.Api.Credentials;

/// <summary>
/// OpenID Connect issuers whose tokens a tenant's senders log in with over SMTP (SASL XOAUTH2 and OAUTHBEARER), each
/// mapped to one of the tenant's SMTP credentials.
/// </summary>
public static class OAuthIssuersApi
{
    const int MaxIssuers = 10;

    const int MaxLength = 500;

    public static RouteGroupBuilder MapOAuthIssuersApi(this RouteGroupBuilder v1)
    {
        var issuers = v1.MapGroup("/tenants/{tenantId}/oauth-issuers").WithTags("Credentials");
        issuers.MapGet("/", ListAsync).WithName("ListOAuthIssuers").WithSummary("Lists the OpenID Connect issuers the tenant's senders may log in with.");
        issuers.MapPut("/{name}", PutAsync).WithName("PutOAuthIssuer")
            .WithSummary("Registers an issuer: its URL, its keys (jwksUrl, or found through its discovery document), the audience its tokens name, the claim that holds the sender's address (default email), and the credential the session sends as.");
        issuers.MapDelete("/{name}", DeleteAsync).WithName("DeleteOAuthIssuer").WithSummary("Removes an issuer; its tokens stop working within seconds.");
        return v1;
    }

    static async Task<Results<Ok<OAuthIssuerResponse[]>, ProblemHttpResult>> ListAsync(string tenantId, IGrainFactory grains) =>
        await TenantsApi.FindAsync(grains, tenantId) is null
            ? TypedResultsProblem.NotFound($"Tenant '{tenantId}'")
            : TypedResults.Ok((await grains.GetGrain<IOAuthIssuersGrain>(tenantId).ListAsync()).Select(OAuthIssuerResponse.From).ToArray());

    static async Task<Results<Created<OAuthIssuerResponse>, Ok<OAuthIssuerResponse>, ProblemHttpResult, ValidationProblem>> PutAsync(
        string tenantId, string name, PutOAuthIssuerRequest? request, IGrainFactory grains, TimeProvider time)
    {
        var errors = new Dictionary<string, string[]>();
        if (!UpstreamRouteRules.Name().IsMatch(name))
        {
            errors["name"] = ["Lower-case letters, digits and hyphens, up to 40 characters."];
        }

        if (!IsKeyUrl(request?.Issuer))
        {
            errors["issuer"] = ["The issuer URL, exactly as tokens name it in their iss claim (https)."];
        }

        if (request?.JwksUrl is not null && !IsKeyUrl(request.JwksUrl))
        {
            errors["jwksUrl"] = ["The issuer's JSON Web Key Set URL (https); left out, the issuer's discovery document names it."];
        }

        if (string.IsNullOrWhiteSpace(request?.Audience) || request.Audience.Length > MaxLength)
        {
            errors["audience"] = ["The audience (aud) the issuer puts in tokens for this relay."];
        }

        if (request?.Claim is { } claim && (claim.Length is 0 or > 100 || claim.Any(char.IsWhiteSpace)))
        {
            errors["claim"] = ["The claim that holds the sender's address (email, upn, preferred_username …)."];
        }

        if (string.IsNullOrWhiteSpace(request?.CredentialId))
        {
            errors["credentialId"] = ["The SMTP credential the session sends as (its limits, networks and events)."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        var credentials = await grains.GetGrain<ITenantGrain>(tenantId).ListCredentialsAsync();
        if (credentials.FirstOrDefault(c => c.Id == request!.CredentialId && c.RevokedAt is null && c.Kind is null or CredentialKind.Smtp) is not { } credential)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["credentialId"] = ["No SMTP credential of this tenant, or revoked."] });
        }

        var issuers = grains.GetGrain<IOAuthIssuersGrain>(tenantId);
        var existing = await issuers.ListAsync();
        if (existing.Count >= MaxIssuers && existing.All(i => i.Name != name))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = [$"A tenant has at most {MaxIssuers} issuers; delete one first."] });
        }

        var issuer = new OAuthIssuer(name, request!.Issuer!, request.JwksUrl, request.Audience!.Trim(), request.Claim ?? "email", credential.Id, credential.Username, time.GetUtcNow());
        return await issuers.PutAsync(issuer)
            ? TypedResults.Created($"/v1/tenants/{tenantId}/oauth-issuers/{name}", OAuthIssuerResponse.From(issuer))
            : TypedResults.Ok(OAuthIssuerResponse.From(issuer));
    }

    static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string tenantId, string name, IGrainFactory grains) =>
        await TenantsApi.FindAsync(grains, tenantId) is not null && await grains.GetGrain<IOAuthIssuersGrain>(tenantId).DeleteAsync(name)
            ? TypedResults.NoContent()
            : TypedResultsProblem.NotFound($"OAuth issuer '{name}' of tenant '{tenantId}'");

    // Keys are fetched over https; plain http only on loopback, where a test or a sidecar serves them.
    static bool IsKeyUrl(string? text) =>
        text is { Length: <= MaxLength } && Uri.TryCreate(text, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback));
}

public sealed record PutOAuthIssuerRequest(string? Issuer, string? JwksUrl, string? Audience, string? Claim, string? CredentialId);

public sealed record OAuthIssuerResponse(string Name, string Issuer, string? JwksUrl, string Audience, string Claim, string CredentialId, DateTimeOffset UpdatedAt)
{
    public static OAuthIssuerResponse From(OAuthIssuer i) => new(i.Name, i.Issuer, i.JwksUrl, i.Audience, i.Claim, i.CredentialId, i.UpdatedAt);
}
