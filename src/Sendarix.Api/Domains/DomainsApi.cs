using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Sendarix.Api.Security;
using Sendarix.Api.Tenants;
using Sendarix.Contracts.Domains;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Addressing;

namespace Sendarix.Api.Domains;

public static class DomainsApi
{
    public static RouteGroupBuilder MapDomainsApi(this RouteGroupBuilder v1)
    {
        var domains = v1.MapGroup("/tenants/{tenantId}/domains").WithTags("Domains");
        domains.MapPost("/", AddAsync).WithName("AddDomain")
            .WithSummary("Adds a sender domain with a new DKIM key and returns the DNS records to publish. 409 when another tenant holds it.");
        domains.MapGet("/", ListAsync).WithName("ListDomains").WithSummary("Lists a tenant's sender domains.");
        domains.MapGet("/{domain}", GetAsync).WithName("GetDomain").WithSummary("Gets one sender domain and its records.");
        domains.MapPost("/{domain}/rotate", RotateAsync).WithName("RotateDomainKey")
            .WithSummary("Starts a DKIM key rotation: a new key and selector whose record (dkim-next) is published beside the current one; signing switches when it verifies.");
        domains.MapPost("/{domain}/verify", VerifyAsync).WithName("VerifyDomain")
            .WithSummary("Looks the domain's records up in DNS now and reports each as found, missing or wrong.");
        return v1;
    }

    internal static async Task<Results<Created<DomainInfo>, Ok<DomainInfo>, ProblemHttpResult, ValidationProblem>> AddAsync(string tenantId, AddDomainRequest request, IGrainFactory grains)
    {
        // Kept in its A-label form: the name DNS, DKIM's d= and every lookup use, whichever spelling was sent.
        if (!DomainName.TryToAscii(request.Domain?.Trim(), out var domain) || !domain.Contains('.'))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["domain"] = ["A domain name such as example.com (an internationalised name in its Unicode or its xn-- form) is required."],
            });
        }

        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        var tenant = grains.GetGrain<ITenantGrain>(tenantId);
        var known = (await tenant.ListDomainsAsync()).Contains(domain);
        return await tenant.AddDomainAsync(domain, request.Ed25519 == true) switch
        {
            { HeldByAnotherTenant: true } => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Domain taken",
                detail: $"The domain '{domain}' belongs to another tenant."),
            { Domain: { } info } when known => TypedResults.Ok(info),
            { Domain: { } info } => TypedResults.Created($"/v1/tenants/{tenantId}/domains/{domain}", info),
            _ => TypedResultsProblem.NotFound($"Tenant '{tenantId}'"),
        };
    }

    internal static async Task<Results<Ok<DomainInfo[]>, ProblemHttpResult>> ListAsync(string tenantId, IGrainFactory grains)
    {
        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        var names = await grains.GetGrain<ITenantGrain>(tenantId).ListDomainsAsync();
        var domains = await Task.WhenAll(names.Select(n => grains.GetGrain<IDomainGrain>(n).GetAsync()));
        return TypedResults.Ok(domains.OfType<DomainInfo>().ToArray());
    }

    static async Task<Results<Ok<DomainInfo>, ProblemHttpResult>> GetAsync(string tenantId, string domain, IGrainFactory grains)
    {
        var info = await OwnedAsync(grains, tenantId, domain, verify: false);
        return info is null ? TypedResultsProblem.NotFound($"Domain '{domain}' of tenant '{tenantId}'") : TypedResults.Ok(info);
    }

    internal static async Task<Results<Ok<DomainInfo>, ProblemHttpResult>> VerifyAsync(string tenantId, string domain, IGrainFactory grains)
    {
        var info = await OwnedAsync(grains, tenantId, domain, verify: true);
        return info is null ? TypedResultsProblem.NotFound($"Domain '{domain}' of tenant '{tenantId}'") : TypedResults.Ok(info);
    }

    static async Task<Results<Ok<DomainInfo>, ProblemHttpResult>> RotateAsync(string tenantId, string domain, IGrainFactory grains)
    {
        var info = await OwnedAsync(grains, tenantId, domain, verify: false) is { } owned
            ? await grains.GetGrain<IDomainGrain>(owned.Domain).RotateAsync(tenantId)
            : null;
        return info is null ? TypedResultsProblem.NotFound($"Domain '{domain}' of tenant '{tenantId}'") : TypedResults.Ok(info);
    }

    // A tenant's path only reaches its own domains: another tenant's domain is simply not found. The path may spell
    // the domain either way; what is not a domain name is not found either.
    static async Task<DomainInfo?> OwnedAsync(IGrainFactory grains, string tenantId, string domain, bool verify)
    {
        if (!DomainName.TryToAscii(domain, out var ascii) || await TenantsApi.FindAsync(grains, tenantId) is null
            || !(await grains.GetGrain<ITenantGrain>(tenantId).ListDomainsAsync()).Contains(ascii))
        {
            return null;
        }

        var grain = grains.GetGrain<IDomainGrain>(ascii);
        return verify ? await grain.VerifyAsync() : await grain.GetAsync();
    }
}

/// <summary>A domain to add; <see cref="Ed25519"/> adds an Ed25519 key for a second signature beside the RSA one.</summary>
public sealed record AddDomainRequest(string? Domain, bool? Ed25519);
