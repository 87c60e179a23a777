using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Sendarix.Api.Security;
using Sendarix.Api.Stats;
using Sendarix.Api.Tenants;
using Sendarix.Contracts.Subtenants;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Egress;
using Sendarix.Core.Spam;
using Sendarix.Core.Subtenants;

namespace Sendarix.Api.Subtenants;

/// <summary>
/// A tenant's sub-tenants (its own customers): created here or, when the tenant allows it, by the first message that
/// names one. Each has its own reputation window and pause; resuming one is the operator's, as for a tenant.
/// </summary>
public static class SubtenantsApi
{
    const int MaxNameLength = 200;

    public static RouteGroupBuilder MapSubtenantsApi(this RouteGroupBuilder v1)
    {
        var subtenants = v1.MapGroup("/tenants/{tenantId}/subtenants").WithTags("Sub-tenants");
        subtenants.MapGet("/", ListAsync).WithName("ListSubtenants").WithSummary("Lists the tenant's sub-tenants in id order, a page at a time.");
        subtenants.MapGet("/{subtenantId}", GetAsync).WithName("GetSubtenant")
            .WithSummary("Gets one sub-tenant: whether it is paused and why, and its reputation window (the rates and thresholds that would pause it).");
        subtenants.MapPut("/{subtenantId}", PutAsync).WithName("PutSubtenant")
            .WithSummary("Creates a sub-tenant (1-64 letters, digits, '.', '_' or '-'; kept in lower case), or returns the one that exists.");
        subtenants.MapPatch("/{subtenantId}", UpdateAsync).WithName("UpdateSubtenant")
            .WithSummary("Changes a sub-tenant's name, egress pool (\"\": the tenant's; the operator's to set) or whether it keeps its own suppression list.");
        subtenants.MapPut("/{subtenantId}/limits", SetLimitsAsync).WithName("SetSubtenantLimits")
            .WithSummary("Replaces a sub-tenant's sending limits (null: none beyond the tenant's); they hold within the tenant's own, across the cluster.");
        subtenants.MapPost("/{subtenantId}/resume", ResumeAsync).WithName("ResumeSubtenant")
            .WithSummary("Lets a sub-tenant paused for its bounce or complaint rate send again, with its reputation window started afresh.").RequireOperator();
        return v1;
    }

    static async Task<Results<Ok<SubtenantPage>, ProblemHttpResult, ValidationProblem>> ListAsync(string tenantId, int? limit, string? next, IGrainFactory grains)
    {
        if (Paging.Problems(limit, next, isCursor: c => SubtenantRules.TryNormalize(c, out var id, out _) && id == c) is { Count: > 0 } problems)
        {
            return TypedResults.ValidationProblem(problems);
        }

        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        var ids = await grains.GetGrain<ISubtenantDirectoryGrain>(tenantId).ListAsync();
        var page = ids.Where(id => next is null || string.CompareOrdinal(id, next) > 0).Take((limit ?? Paging.DefaultLimit) + 1).ToList();
        var more = page.Count > (limit ?? Paging.DefaultLimit);
        page = [.. page.Take(limit ?? Paging.DefaultLimit)];
        var items = await Task.WhenAll(page.Select(id => grains.GetGrain<ISubtenantGrain>(ISubtenantGrain.Key(tenantId, id)).GetAsync()));
        return TypedResults.Ok(new SubtenantPage([.. items.OfType<SubtenantInfo>().Select(s => SubtenantResponse.From(s, null))], more ? page[^1] : null));
    }

    static async Task<Results<Ok<SubtenantResponse>, ProblemHttpResult>> GetAsync(string tenantId, string subtenantId, IGrainFactory grains)
    {
        if (await FindAsync(grains, tenantId, subtenantId) is not { } subtenant)
        {
            return NotFound(tenantId, subtenantId);
        }

        var window = await grains.GetGrain<ITenantReputationGrain>(ISubtenantGrain.Key(tenantId, subtenant.Id)).GetAsync();
        return TypedResults.Ok(SubtenantResponse.From(subtenant, window));
    }

    static async Task<Results<Created<SubtenantResponse>, Ok<SubtenantResponse>, ProblemHttpResult, ValidationProblem>> PutAsync(
        string tenantId, string subtenantId, PutSubtenantRequest? request, IGrainFactory grains)
    {
        var errors = new Dictionary<string, string[]>();
        if (!SubtenantRules.TryNormalize(subtenantId, out var id, out var problem))
        {
            errors["subtenantId"] = [$"The id {problem}."];
        }

        var name = request?.Name?.Trim();
        if (name is { Length: 0 or > MaxNameLength })
        {
            errors["name"] = [$"1 to {MaxNameLength} characters, or left out."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await TenantsApi.FindAsync(grains, tenantId) is not { } tenant)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        var result = await grains.GetGrain<ISubtenantGrain>(ISubtenantGrain.Key(tenantId, id)).CreateAsync(name, implicitly: false,
            tenant.MaxSubtenants ?? SubtenantRules.DefaultMaxPerTenant);
        return result switch
        {
            { Subtenant: { } made, Created: true } => TypedResults.Created($"/v1/tenants/{tenantId}/subtenants/{id}", SubtenantResponse.From(made, null)),
            { Subtenant: { } existing } => TypedResults.Ok(SubtenantResponse.From(existing, null)),
            _ => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many sub-tenants",
                detail: $"The tenant has {result.Limit} sub-tenants, as many as it may have; the operator can raise maxSubtenants."),
        };
    }

    static async Task<Results<Ok<SubtenantResponse>, ProblemHttpResult, ValidationProblem>> UpdateAsync(string tenantId, string subtenantId,
        UpdateSubtenantRequest request, IGrainFactory grains, IOptions<EgressOptions> egress, HttpContext http)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim();
        if (name is { Length: 0 or > MaxNameLength })
        {
            errors["name"] = [$"1 to {MaxNameLength} characters, or left out."];
        }

        if (request.Pool is not null && !ApiCaller.Of(http.User)!.IsOperator)
        {
            errors["pool"] = ["Only the operator assigns egress pools."];
        }
        else if (request.Pool is { Length: > 0 } named && !egress.Value.Pools.ContainsKey(named))
        {
            errors["pool"] = [$"'{named}' is not a configured egress pool ({string.Join(", ", egress.Value.Pools.Keys)}); \"\" returns it to the tenant's pool."];
        }

        // A platform may hold its customers' mail to a stricter policy; only the operator lets spam through.
        if (SpamFilterSetting.Problem(request.SpamFilter) is { } spamProblem)
        {
            errors["spamFilter"] = [spamProblem];
        }
        else if (SpamPolicies.TryParse(request.SpamFilter, out var policy) && policy is SpamPolicy.Off or SpamPolicy.Tag && !ApiCaller.Of(http.User)!.IsOperator)
        {
            errors["spamFilter"] = ["A tenant's key may set hold, reject or default; off and tag are the operator's."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var subtenant = await FindAsync(grains, tenantId, subtenantId) is { } found
            ? await grains.GetGrain<ISubtenantGrain>(ISubtenantGrain.Key(tenantId, found.Id))
                .UpdateAsync(name, request.Pool, request.OwnSuppressionList, SpamFilterSetting.Change(request.SpamFilter))
            : null;
        return subtenant is null ? NotFound(tenantId, subtenantId) : TypedResults.Ok(SubtenantResponse.From(subtenant, null));
    }

    static async Task<Results<Ok<SubtenantResponse>, ProblemHttpResult, ValidationProblem>> SetLimitsAsync(string tenantId, string subtenantId, SendingLimits limits,
        IGrainFactory grains)
    {
        if (TenantsApi.LimitProblems(limits) is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var subtenant = await FindAsync(grains, tenantId, subtenantId) is { } found
            ? await grains.GetGrain<ISubtenantGrain>(ISubtenantGrain.Key(tenantId, found.Id)).SetLimitsAsync(limits)
            : null;
        return subtenant is null ? NotFound(tenantId, subtenantId) : TypedResults.Ok(SubtenantResponse.From(subtenant, null));
    }

    static async Task<Results<Ok<SubtenantResponse>, ProblemHttpResult>> ResumeAsync(string tenantId, string subtenantId, IGrainFactory grains)
    {
        var subtenant = await FindAsync(grains, tenantId, subtenantId) is { } found
            ? await grains.GetGrain<ISubtenantGrain>(ISubtenantGrain.Key(tenantId, found.Id)).ResumeAsync()
            : null;
        return subtenant is null ? NotFound(tenantId, subtenantId) : TypedResults.Ok(SubtenantResponse.From(subtenant, null));
    }

    /// <summary>The sub-tenant, or null for an unknown tenant or sub-tenant, or a malformed id (which never reaches a grain).</summary>
    static async Task<SubtenantInfo?> FindAsync(IGrainFactory grains, string tenantId, string subtenantId) =>
        SubtenantRules.TryNormalize(subtenantId, out var id, out _) && await TenantsApi.FindAsync(grains, tenantId) is not null
            ? await grains.GetGrain<ISubtenantGrain>(ISubtenantGrain.Key(tenantId, id)).GetAsync()
            : null;

    static ProblemHttpResult NotFound(string tenantId, string subtenantId) => TypedResultsProblem.NotFound($"Sub-tenant '{subtenantId}' of tenant '{tenantId}'");
}

public sealed record PutSubtenantRequest(string? Name = null);

/// <summary>What to change; what is left out stays as it is.</summary>
public sealed record UpdateSubtenantRequest(string? Name = null, string? Pool = null, bool? OwnSuppressionList = null, string? SpamFilter = null);

public sealed record SubtenantPage(IReadOnlyList<SubtenantResponse> Items, string? Next);

/// <summary>A sub-tenant; <see cref="Reputation"/> is given when one sub-tenant is asked for.</summary>
public sealed record SubtenantResponse(string Id, string? Name, DateTimeOffset CreatedAt, bool CreatedImplicitly, string? PausedReason, DateTimeOffset? PausedAt,
    SendingLimits Limits, string? Pool, bool OwnSuppressionList, string SpamFilter, ReputationResponse? Reputation)
{
    public static SubtenantResponse From(SubtenantInfo s, ReputationStanding? reputation) =>
        new(s.Id, s.Name, s.CreatedAt, s.CreatedImplicitly, s.PausedReason, s.PausedAt, s.Limits ?? SendingLimits.None, s.Pool, s.OwnSuppressionList,
            SpamFilterSetting.Name(s.SpamFilter), reputation is null ? null : ReputationResponse.Of(reputation));
}
