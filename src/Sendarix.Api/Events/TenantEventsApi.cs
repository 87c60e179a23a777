using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Sendarix.Api.Security;
using Sendarix.Api.Tenants;
using Sendarix.Core.Events;
using Sendarix.Storage.Tenants;

namespace Sendarix.Api.Events;

public static class TenantEventsApi
{
    public static RouteGroupBuilder MapTenantEventsApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/tenants/{tenantId}/events", ListAsync).WithTags("Events").WithName("ListTenantEvents")
            .WithSummary("A tenant's events outside messages (sending paused or resumed, AUTH refused by a credential's network allowlist, a webhook endpoint disabled), newest first.");
        return v1;
    }

    static async Task<Results<Ok<EventPage>, ProblemHttpResult, ValidationProblem>> ListAsync(
        string tenantId, int? limit, string? next, TenantEventLog log, IGrainFactory grains, CancellationToken cancellationToken)
    {
        // A cursor is a row key: inverted ticks and the event's id.
        if (Paging.Problems(limit, next, isCursor: c => c.Length <= 200 && c.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_')) is { Count: > 0 } problems)
        {
            return TypedResults.ValidationProblem(problems);
        }

        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        var (events, after) = await log.ListAsync(tenantId, limit ?? Paging.DefaultLimit, next, cancellationToken);
        return TypedResults.Ok(new EventPage([.. events.Select(EventDocument.Of)], after));
    }
}

/// <summary>A page of events; pass <see cref="Next"/> as 'next' for the page after it (null: there is none).</summary>
public sealed record EventPage(IReadOnlyList<EventDocument> Items, string? Next);
