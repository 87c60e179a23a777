using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Sendarix.Api.Security;
using Sendarix.Api.Tenants;
using Sendarix.Contracts.Held;
using Sendarix.Core.Events;
using Sendarix.Core.Ids;
using Sendarix.Storage.Held;

namespace Sendarix.Api.Held;

/// <summary>
/// A tenant's mail held back as spam (the spam policy "hold"): listed newest first, released to delivery, or deleted.
/// Held mail not released expires when it has waited as long as any message may (<c>Sendarix:Retry:MaxLifetime</c>).
/// </summary>
public static class HeldApi
{
    public static RouteGroupBuilder MapHeldApi(this RouteGroupBuilder v1)
    {
        var held = v1.MapGroup("/tenants/{tenantId}/held").WithTags("Held mail");
        held.MapGet("/", ListAsync).WithName("ListHeldMessages").WithSummary("Lists the tenant's messages held back as spam, newest first, with their verdicts.");
        held.MapPost("/{messageId}/release", ReleaseAsync).WithName("ReleaseHeldMessage")
            .WithSummary("Sends a held message to delivery: each recipient gets a released event, then its delivery's.");
        held.MapDelete("/{messageId}", DeleteAsync).WithName("DeleteHeldMessage")
            .WithSummary("Deletes a held message without sending it: each recipient gets a failed event.");
        return v1;
    }

    static async Task<Results<Ok<HeldPage>, ProblemHttpResult, ValidationProblem>> ListAsync(string tenantId, int? limit, string? next, HeldMailStore store,
        IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (Paging.Problems(limit, next, isCursor: c => c.Length <= 40 && c.All(char.IsAsciiLetterOrDigit)) is { Count: > 0 } problems)
        {
            return TypedResults.ValidationProblem(problems);
        }

        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        var (items, after) = await store.PageAsync(tenantId, limit ?? Paging.DefaultLimit, next, cancellationToken);
        return TypedResults.Ok(new HeldPage([.. items.Select(HeldMessageResponse.Of)], after));
    }

    static async Task<Results<Ok<HeldChangeResponse>, ProblemHttpResult>> ReleaseAsync(string tenantId, string messageId, IGrainFactory grains) =>
        IsTenants(tenantId, messageId) && await grains.GetGrain<IHeldMailGrain>(tenantId).ReleaseAsync(messageId)
            ? TypedResults.Ok(new HeldChangeResponse(messageId, "released"))
            : NotHeld(tenantId, messageId);

    static async Task<Results<Ok<HeldChangeResponse>, ProblemHttpResult>> DeleteAsync(string tenantId, string messageId, IGrainFactory grains) =>
        IsTenants(tenantId, messageId) && await grains.GetGrain<IHeldMailGrain>(tenantId).DeleteAsync(messageId)
            ? TypedResults.Ok(new HeldChangeResponse(messageId, "deleted"))
            : NotHeld(tenantId, messageId);

    // A malformed id, or another tenant's, never reaches the grain.
    static bool IsTenants(string tenantId, string messageId) => MessageId.TryParse(messageId, out var id) && id.TenantId == tenantId;

    static ProblemHttpResult NotHeld(string tenantId, string messageId) =>
        TypedResultsProblem.NotFound($"Held message '{messageId}' of tenant '{tenantId}' (released, deleted and expired messages have left the hold)");
}

public sealed record HeldPage(IReadOnlyList<HeldMessageResponse> Items, string? Next);

/// <summary>What became of a held message.</summary>
public sealed record HeldChangeResponse(string Id, string Outcome);

/// <summary>A held message: who sent it to whom, when it was held and when it expires, and the filter's verdict.</summary>
public sealed record HeldMessageResponse(string Id, string? Subtenant, string From, IReadOnlyList<string> Recipients, string? MessageIdHeader, string? Subject,
    DateTimeOffset AcceptedAt, DateTimeOffset HeldAt, DateTimeOffset ExpiresAt, SpamDocument? Spam)
{
    public static HeldMessageResponse Of(HeldMessage h) => new(h.Work.MessageId, h.Work.Subtenant, h.Work.From, [.. h.Work.Recipients.Select(r => r.Address)],
        h.Work.MessageIdHeader, h.Work.Subject, h.Work.AcceptedAt, h.HeldAt, h.ExpiresAt, h.Work.Spam is { } v ? SpamDocument.Of(v) : null);
}
