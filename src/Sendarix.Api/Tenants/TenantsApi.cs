using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Sendarix.Api.Security;
using Sendarix.Contracts.Tenants;
using Microsoft.Extensions.Options;
using Sendarix.Core.Egress;
using Sendarix.Core.Ids;
using Sendarix.Core.Retention;
using Sendarix.Core.Subtenants;
using Sendarix.Contracts.Retention;
using Sendarix.Storage.Tenants;

namespace Sendarix.Api.Tenants;

public static class TenantsApi
{
    public static RouteGroupBuilder MapTenantsApi(this RouteGroupBuilder v1)
    {
        var tenants = v1.MapGroup("/tenants").WithTags("Tenants");
        tenants.MapPost("/", CreateAsync).WithName("CreateTenant").WithSummary("Creates a tenant.").RequireOperator();
        tenants.MapGet("/", ListAsync).WithName("ListTenants").WithSummary("Lists the tenants in id order, each as it is now (paused, limits, settings), a page at a time.").RequireOperator();
        tenants.MapGet("/{tenantId}", GetAsync).WithName("GetTenant").WithSummary("Gets one tenant.");
        tenants.MapPut("/{tenantId}/limits", SetLimitsAsync).WithName("SetTenantLimits")
            .WithSummary("Replaces a tenant's sending limits (null: none); they hold across the cluster and take effect within seconds.").RequireOperator();
        tenants.MapPost("/{tenantId}/resume", ResumeAsync).WithName("ResumeTenant")
            .WithSummary("Lets a tenant paused for its bounce or complaint rate send again, with its reputation window started afresh.").RequireOperator();
        tenants.MapPatch("/{tenantId}", UpdateAsync).WithName("UpdateTenant")
            .WithSummary("Changes a tenant's settings: allowUnverifiedSenders (lift the sender-domain policy), allowSubdomains (send as subdomains of verified domains), rejectSuppressedRecipients (550 at RCPT instead of a suppressed event), pool, retentionDays (how long its messages are kept; 0: the relay's default), implicitSubtenants (create a sub-tenant on the first message that names it), maxSubtenants (0: the default).").RequireOperator();
        tenants.MapGet("/{tenantId}/retention", RetentionAsync).WithName("GetTenantRetention")
            .WithSummary("How long the tenant's messages are kept, and what the last retention sweep deleted.");
        tenants.MapPost("/{tenantId}/retention/sweep", SweepAsync).WithName("SweepTenantRetention")
            .WithSummary("Runs the tenant's retention sweep now (it also runs every hour): deletes messages, search rows and bodies past retention, never a message still in delivery.").RequireOperator();
        return v1;
    }

    static async Task<Results<Created<TenantResponse>, ValidationProblem>> CreateAsync(CreateTenantRequest request, IGrainFactory grains)
    {
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 200)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = ["A name of 1 to 200 characters is required."] });
        }

        var tenant = await grains.GetGrain<ITenantGrain>(TenantIds.New()).CreateAsync(name);
        return TypedResults.Created($"/v1/tenants/{tenant.Id}", TenantResponse.From(tenant));
    }

    internal static async Task<Results<Ok<TenantPage>, ValidationProblem>> ListAsync(int? limit, string? next, IGrainFactory grains, TenantDirectory directory,
        CancellationToken cancellationToken)
    {
        if (Paging.Problems(limit, next, isCursor: TenantIds.IsValid) is { Count: > 0 } problems)
        {
            return TypedResults.ValidationProblem(problems);
        }

        // The directory names the tenants, a page at a time; each tenant's own grain says how it is now.
        var page = await directory.PageAsync(limit ?? Paging.DefaultLimit, next, cancellationToken);
        var tenants = await Task.WhenAll(page.Ids.Select(id => grains.GetGrain<ITenantGrain>(id).GetAsync()));
        return TypedResults.Ok(new TenantPage([.. tenants.OfType<TenantInfo>().Select(TenantResponse.From)], page.Next));
    }

    static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> GetAsync(string tenantId, IGrainFactory grains)
    {
        var tenant = await FindAsync(grains, tenantId);
        return tenant is null ? TypedResultsProblem.NotFound($"Tenant '{tenantId}'") : TypedResults.Ok(TenantResponse.From(tenant));
    }

    static async Task<Results<Ok<TenantResponse>, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        string tenantId, UpdateTenantRequest request, IGrainFactory grains, IOptions<EgressOptions> egress)
    {
        if (request.Pool is { Length: > 0 } pool && !egress.Value.Pools.ContainsKey(pool))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["pool"] = [$"'{pool}' is not a configured egress pool ({string.Join(", ", egress.Value.Pools.Keys)}); \"\" returns the tenant to the default pool."],
            });
        }

        if (request.MaxSubtenants is < 0 or > SubtenantRules.MaxPerTenant)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["maxSubtenants"] = [$"Between 1 and {SubtenantRules.MaxPerTenant}, or 0 for the default ({SubtenantRules.DefaultMaxPerTenant})."],
            });
        }

        if (SpamFilterSetting.Problem(request.SpamFilter) is { } spamProblem)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["spamFilter"] = [spamProblem] });
        }

        if (request.RetentionDays is { } days && days != 0 && days is < RetentionRules.MinDays or > RetentionRules.MaxDays)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["retentionDays"] = [$"Between {RetentionRules.MinDays} and {RetentionRules.MaxDays} days, or 0 for the relay's default."],
            });
        }

        var tenant = await FindAsync(grains, tenantId);
        if (tenant is not null)
        {
            tenant = await grains.GetGrain<ITenantGrain>(tenantId).UpdateSettingsAsync(
                new TenantSettingsChange(request.AllowUnverifiedSenders, request.AllowSubdomains, request.RejectSuppressedRecipients, request.Pool, request.RetentionDays,
                    request.DeliveryStatusNotifications, request.ImplicitSubtenants, request.MaxSubtenants, SpamFilterSetting.Change(request.SpamFilter)));
        }

        return tenant is null ? TypedResultsProblem.NotFound($"Tenant '{tenantId}'") : TypedResults.Ok(TenantResponse.From(tenant));
    }

    static async Task<Results<Ok<RetentionResponse>, ProblemHttpResult>> RetentionAsync(string tenantId, IGrainFactory grains, IOptions<RetentionOptions> retention)
    {
        var tenant = await FindAsync(grains, tenantId);
        return tenant is null
            ? TypedResultsProblem.NotFound($"Tenant '{tenantId}'")
            : TypedResults.Ok(new RetentionResponse(tenant.RetentionDays ?? retention.Value.DefaultDays, tenant.RetentionDays is null,
                await grains.GetGrain<IRetentionGrain>(tenantId).LastAsync()));
    }

    static async Task<Results<Ok<RetentionReport>, ProblemHttpResult>> SweepAsync(string tenantId, IGrainFactory grains)
    {
        var tenant = await FindAsync(grains, tenantId);
        return tenant is null ? TypedResultsProblem.NotFound($"Tenant '{tenantId}'") : TypedResults.Ok(await grains.GetGrain<IRetentionGrain>(tenantId).SweepAsync());
    }

    static async Task<Results<Ok<TenantResponse>, ProblemHttpResult>> ResumeAsync(string tenantId, IGrainFactory grains)
    {
        var tenant = await FindAsync(grains, tenantId) is null ? null : await grains.GetGrain<ITenantGrain>(tenantId).ResumeAsync();
        return tenant is null ? TypedResultsProblem.NotFound($"Tenant '{tenantId}'") : TypedResults.Ok(TenantResponse.From(tenant));
    }

    static async Task<Results<Ok<TenantResponse>, ProblemHttpResult, ValidationProblem>> SetLimitsAsync(string tenantId, SendingLimits limits, IGrainFactory grains)
    {
        if (LimitProblems(limits) is { Count: > 0 } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }

        var tenant = await FindAsync(grains, tenantId) is null ? null : await grains.GetGrain<ITenantGrain>(tenantId).SetLimitsAsync(limits);
        return tenant is null ? TypedResultsProblem.NotFound($"Tenant '{tenantId}'") : TypedResults.Ok(TenantResponse.From(tenant));
    }

    /// <summary>What is wrong with sending limits, by field (a tenant's or a sub-tenant's).</summary>
    internal static Dictionary<string, string[]> LimitProblems(SendingLimits limits)
    {
        var errors = new Dictionary<string, string[]>();
        void Check(int? value, string name, int max)
        {
            if (value is < 1 || value > max)
            {
                errors[name] = [$"Between 1 and {max}, or null for no limit."];
            }
        }

        Check(limits.MessagesPerMinute, "messagesPerMinute", 1_000_000);
        Check(limits.MessagesPerDay, "messagesPerDay", 100_000_000);
        Check(limits.RecipientsPerMessage, "recipientsPerMessage", 1000);
        Check(limits.MaxMessageSize, "maxMessageSize", 52_428_800);
        return errors;
    }

    /// <summary>The tenant, or null for an unknown or malformed id (which never reaches a grain).</summary>
    internal static async Task<TenantInfo?> FindAsync(IGrainFactory grains, string tenantId) =>
        TenantIds.IsValid(tenantId) ? await grains.GetGrain<ITenantGrain>(tenantId).GetAsync() : null;
}

public sealed record TenantPage(IReadOnlyList<TenantResponse> Items, string? Next);

public sealed record CreateTenantRequest([property: Required] string? Name);

/// <summary>Settings to change; those left out stay as they are.</summary>
public sealed record UpdateTenantRequest(bool? AllowUnverifiedSenders, bool? AllowSubdomains, bool? RejectSuppressedRecipients, string? Pool, int? RetentionDays = null,
    bool? DeliveryStatusNotifications = null, bool? ImplicitSubtenants = null, int? MaxSubtenants = null, string? SpamFilter = null);

/// <summary>The days a tenant's messages are kept (and whether that is the relay's default), and the last sweep.</summary>
public sealed record RetentionResponse(int RetentionDays, bool IsDefault, RetentionReport? LastSweep);

public sealed record TenantResponse(string Id, string Name, DateTimeOffset CreatedAt, bool AllowUnverifiedSenders, bool AllowSubdomains,
    bool RejectSuppressedRecipients, SendingLimits Limits, string? PausedReason, DateTimeOffset? PausedAt, string? Pool, int? RetentionDays,
    bool DeliveryStatusNotifications, bool ImplicitSubtenants, int MaxSubtenants, string SpamFilter)
{
    public static TenantResponse From(TenantInfo t) => new(t.Id, t.Name, t.CreatedAt, t.AllowUnverifiedSenders, t.AllowSubdomains,
        t.RejectSuppressedRecipients, t.Limits ?? SendingLimits.None, t.PausedReason, t.PausedAt, t.Pool, t.RetentionDays, t.DeliveryStatusNotifications,
        t.ImplicitSubtenants, t.MaxSubtenants ?? SubtenantRules.DefaultMaxPerTenant, SpamFilterSetting.Name(t.SpamFilter));
}
