using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Sendarix.Api.Security;
using Sendarix.Api.Tenants;
using Sendarix.Contracts.Webhooks;
using Sendarix.Core.Events;
using Sendarix.Core.Webhooks;

namespace Sendarix.Api.Webhooks;

/// <summary>
/// A tenant's webhook endpoints: where its events are posted, signed as Standard Webhooks say. A URL's form is
/// checked here; the grain checks it again with DNS before storing it. Secrets are shown once, when made.
/// </summary>
public static class WebhooksApi
{
    const int MaxDescriptionLength = 500;
    const int MaxEventTypes = 100;

    public static RouteGroupBuilder MapWebhooksApi(this RouteGroupBuilder v1)
    {
        var hooks = v1.MapGroup("/tenants/{tenantId}/webhooks").WithTags("Webhooks");
        hooks.MapPost("/", CreateAsync).WithName("CreateWebhookEndpoint")
            .WithSummary("Adds a webhook endpoint (https, public addresses only). Its signing secret (whsec_…) is in this response only.");
        hooks.MapGet("/", ListAsync).WithName("ListWebhookEndpoints").WithSummary("Lists the tenant's webhook endpoints, without secrets.");
        hooks.MapGet("/{endpointId}", GetAsync).WithName("GetWebhookEndpoint").WithSummary("Gets one webhook endpoint, without its secret.");
        hooks.MapPatch("/{endpointId}", UpdateAsync).WithName("UpdateWebhookEndpoint")
            .WithSummary("Changes an endpoint's url, eventTypes, enabled, firstDeferralOnly, batch or description; what is left out stays. Enabling one the relay disabled clears why.");
        hooks.MapDelete("/{endpointId}", DeleteAsync).WithName("DeleteWebhookEndpoint").WithSummary("Deletes a webhook endpoint and its secrets.");
        hooks.MapPost("/{endpointId}/rotate-secret", RotateSecretAsync).WithName("RotateWebhookSecret")
            .WithSummary("Makes a new signing secret, shown in this response only; the previous one is still signed with for overlapSeconds (default 24 hours, at most 7 days; 0 ends it now).");
        return v1;
    }

    static async Task<Results<Created<CreatedWebhookEndpointResponse>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        string tenantId, CreateWebhookEndpointRequest? request, IGrainFactory grains, IOptions<WebhookOptions> options)
    {
        var errors = new Dictionary<string, string[]>();
        CheckUrl(request?.Url, required: true, options.Value, errors);
        var types = ReadEventTypes(request?.EventTypes, errors);
        CheckDescription(request?.Description, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        var result = await grains.GetGrain<IWebhookEndpointsGrain>(tenantId).CreateAsync(
            new WebhookEndpointSettings(request!.Url!, types ?? [], request.FirstDeferralOnly == true, request.Batch == true, request.Description));
        if (result is not { Endpoint: { } endpoint, Secret: { } secret })
        {
            return result.Refusal == WebhookRefusal.InvalidUrl ? UrlRefused(result) : Refusal(result, $"Tenant '{tenantId}'");
        }

        return TypedResults.Created($"/v1/tenants/{tenantId}/webhooks/{endpoint.Id}", CreatedWebhookEndpointResponse.From(endpoint, secret));
    }

    internal static async Task<Results<Ok<WebhookEndpointResponse[]>, ProblemHttpResult>> ListAsync(string tenantId, IGrainFactory grains)
    {
        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        var endpoints = await grains.GetGrain<IWebhookEndpointsGrain>(tenantId).ListAsync();
        return TypedResults.Ok(endpoints.Select(WebhookEndpointResponse.From).ToArray());
    }

    static async Task<Results<Ok<WebhookEndpointResponse>, ProblemHttpResult>> GetAsync(string tenantId, string endpointId, IGrainFactory grains)
    {
        var endpoint = await TenantsApi.FindAsync(grains, tenantId) is null ? null : await grains.GetGrain<IWebhookEndpointsGrain>(tenantId).GetAsync(endpointId);
        return endpoint is null ? NotFound(tenantId, endpointId) : TypedResults.Ok(WebhookEndpointResponse.From(endpoint));
    }

    static async Task<Results<Ok<WebhookEndpointResponse>, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        string tenantId, string endpointId, UpdateWebhookEndpointRequest? request, IGrainFactory grains, IOptions<WebhookOptions> options)
    {
        var errors = new Dictionary<string, string[]>();
        CheckUrl(request?.Url, required: false, options.Value, errors);
        var types = ReadEventTypes(request?.EventTypes, errors);
        CheckDescription(request?.Description, errors);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return NotFound(tenantId, endpointId);
        }

        var result = await grains.GetGrain<IWebhookEndpointsGrain>(tenantId).UpdateAsync(endpointId,
            new WebhookEndpointChange(request?.Url, types, request?.Enabled, request?.FirstDeferralOnly, request?.Batch, request?.Description));
        return result.Endpoint is { } endpoint ? TypedResults.Ok(WebhookEndpointResponse.From(endpoint))
            : result.Refusal == WebhookRefusal.InvalidUrl ? UrlRefused(result)
            : Refusal(result, Describe(tenantId, endpointId));
    }

    static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string tenantId, string endpointId, IGrainFactory grains) =>
        await TenantsApi.FindAsync(grains, tenantId) is not null && await grains.GetGrain<IWebhookEndpointsGrain>(tenantId).DeleteAsync(endpointId)
            ? TypedResults.NoContent()
            : NotFound(tenantId, endpointId);

    static async Task<Results<Ok<RotatedWebhookSecretResponse>, ProblemHttpResult, ValidationProblem>> RotateSecretAsync(
        string tenantId, string endpointId, RotateWebhookSecretRequest? request, IGrainFactory grains)
    {
        var maxSeconds = (int)WebhookOptions.MaxSecretOverlap.TotalSeconds;
        if (request?.OverlapSeconds is < 0 || request?.OverlapSeconds > maxSeconds)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["overlapSeconds"] = [$"From 0 (the previous secret ends now) to {maxSeconds} (7 days); left out, the relay's default."],
            });
        }

        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return NotFound(tenantId, endpointId);
        }

        var overlap = request?.OverlapSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
        var result = await grains.GetGrain<IWebhookEndpointsGrain>(tenantId).RotateSecretAsync(endpointId, overlap);
        return result is { Endpoint: { } endpoint, Secret: { } secret }
            ? TypedResults.Ok(new RotatedWebhookSecretResponse(endpoint.Id, secret, result.PreviousSecretValidUntil))
            : Refusal(result, Describe(tenantId, endpointId));
    }

    static void CheckUrl(string? url, bool required, WebhookOptions options, Dictionary<string, string[]> errors)
    {
        if ((url is not null || required) && !WebhookUrl.TryParse(url, options.AllowHttp, options.AllowPrivateAddresses, out _, out var problem))
        {
            errors["url"] = [problem];
        }
    }

    /// <summary>The event types named (by their public names), or null when none were given; unknown names are an error that names them.</summary>
    static IReadOnlyList<EventType>? ReadEventTypes(IReadOnlyList<string?>? names, Dictionary<string, string[]> errors)
    {
        if (names is null)
        {
            return null;
        }

        if (names.Count > MaxEventTypes)
        {
            errors["eventTypes"] = [$"At most {MaxEventTypes} event types."];
            return null;
        }

        var types = new List<EventType>();
        var unknown = new List<string?>();
        foreach (var name in names)
        {
            if (EventTypes.TryParse(name, out var type))
            {
                types.Add(type);
            }
            else if (!unknown.Contains(name))
            {
                unknown.Add(name);
            }
        }

        if (unknown.Count > 0)
        {
            // Named as sent, but shortened: a name may be anything a client sent, of any length.
            static string Quote(string? name) => name is null ? "null" : $"'{(name.Length > 40 ? name[..40] + "…" : name)}'";
            errors["eventTypes"] = [$"Unknown event types: {string.Join(", ", unknown.Take(10).Select(Quote))}{(unknown.Count > 10 ? " and more" : "")}. "
                + $"The types are {string.Join(", ", EventTypes.All.Select(EventTypes.Name))}; none (an empty list) means all."];
        }

        return types;
    }

    static void CheckDescription(string? description, Dictionary<string, string[]> errors)
    {
        if (description is { Length: > MaxDescriptionLength })
        {
            errors["description"] = [$"A description has at most {MaxDescriptionLength} characters."];
        }
    }

    /// <summary>A URL the grain refused (its host resolves nowhere, or somewhere private): as the form checks here say it.</summary>
    static ValidationProblem UrlRefused(WebhookEndpointResult result) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["url"] = [result.Problem ?? "The URL is refused."] });

    static ProblemHttpResult Refusal(WebhookEndpointResult result, string what) => result.Refusal == WebhookRefusal.TooManyEndpoints
        ? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Too many webhook endpoints", detail: result.Problem)
        : TypedResultsProblem.NotFound(what);

    /// <summary>Event types by their public names, as requests name them.</summary>
    internal static string[] Names(IEnumerable<EventType> types) => types.Select(EventTypes.Name).ToArray();

    static ProblemHttpResult NotFound(string tenantId, string endpointId) => TypedResultsProblem.NotFound(Describe(tenantId, endpointId));

    static string Describe(string tenantId, string endpointId) => $"Webhook endpoint '{endpointId}' of tenant '{tenantId}'";
}

/// <summary>A new endpoint: its URL and the events it receives by their public names (none: all).</summary>
public sealed record CreateWebhookEndpointRequest(string? Url, IReadOnlyList<string?>? EventTypes, bool? FirstDeferralOnly, bool? Batch, string? Description);

/// <summary>Changes to an endpoint; what is left out stays as it is, and an empty description removes it.</summary>
public sealed record UpdateWebhookEndpointRequest(string? Url, IReadOnlyList<string?>? EventTypes, bool? Enabled, bool? FirstDeferralOnly, bool? Batch, string? Description);

/// <summary>How long the previous secret is still signed with, in seconds (left out: the relay's default, 24 hours).</summary>
public sealed record RotateWebhookSecretRequest(int? OverlapSeconds);

public sealed record WebhookEndpointResponse(string Id, string Url, IReadOnlyList<string> EventTypes, bool Enabled, bool FirstDeferralOnly, bool Batch,
    string? Description, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? DisabledAt, string? DisabledReason)
{
    public static WebhookEndpointResponse From(WebhookEndpoint e) => new(e.Id, e.Url, WebhooksApi.Names(e.EventTypes), e.Enabled,
        e.FirstDeferralOnly, e.Batch, e.Description, e.CreatedAt, e.UpdatedAt, e.DisabledAt, e.DisabledReason);
}

/// <summary>A new endpoint with its signing secret, which no later call shows.</summary>
public sealed record CreatedWebhookEndpointResponse(string Id, string Url, IReadOnlyList<string> EventTypes, bool Enabled, bool FirstDeferralOnly, bool Batch,
    string? Description, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Secret)
{
    public static CreatedWebhookEndpointResponse From(WebhookEndpoint e, string secret) => new(e.Id, e.Url, WebhooksApi.Names(e.EventTypes),
        e.Enabled, e.FirstDeferralOnly, e.Batch, e.Description, e.CreatedAt, e.UpdatedAt, secret);
}

/// <summary>The new secret (shown this once) and until when the previous one is still signed with (null: no longer).</summary>
public sealed record RotatedWebhookSecretResponse(string EndpointId, string Secret, DateTimeOffset? PreviousSecretValidUntil);
