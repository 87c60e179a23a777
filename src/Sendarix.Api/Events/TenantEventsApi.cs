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
    const int MaxEvents = 500;

    public static RouteGroupBuilder MapTenantEventsApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/tenants/{tenantId}/events", ListAsync).WithTags("Events").WithName("ListTenantEvents")
            .WithSummary("A tenant's events outside messages (sending paused or resumed, AUTH refused by a credential's network allowlist, a webhook endpoint disabled), newest first.");
        return v1;
    }

    static async Task<Results<Ok<IReadOnlyList<EventDocument>>, ProblemHttpResult, ValidationProblem>> ListAsync(
        string tenantId, int? max, TenantEventLog log, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (max is < 1 or > MaxEvents)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["max"] = [$"Between 1 and {MaxEvents}."] });
        }

        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        IReadOnlyList<EventDocument> events = [.. (await log.ListAsync(tenantId, max ?? 100, cancellationToken)).Select(EventDocument.Of)];
        return TypedResults.Ok(events);
    }
}
