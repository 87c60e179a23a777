using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Sendarix.Api.Security;
using Sendarix.Contracts.Webhooks;
using Sendarix.Core.Events;
using Sendarix.Core.Ids;
using Sendarix.Core.Retry;
using Sendarix.Storage.Messages;
using Sendarix.Storage.Tenants;
using Sendarix.Storage.Webhooks;

namespace Sendarix.Api.Webhooks;

/// <summary>
/// What happened to an endpoint's deliveries, a test event on request, and replays: the events of a time range or of
/// one message sent again to one endpoint, with their original ids (receivers that saw them drop them again).
/// </summary>
public static class WebhookDeliveriesApi
{
    /// <summary>The most events one replay sends; a longer range is replayed in several calls (the answer says where to go on).</summary>
    public const int MaxReplayEvents = 10_000;

    static readonly TimeSpan MaxReplayRange = TimeSpan.FromDays(31);

    public static RouteGroupBuilder MapWebhookDeliveriesApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/tenants/{tenantId}/webhooks/{endpointId}").WithTags("Webhooks");
        group.MapGet("/attempts", ListAttemptsAsync).WithName("ListWebhookAttempts")
            .WithSummary("The endpoint's recent delivery attempts, newest first: the events sent, the HTTP status, the latency, the error and the next try.");
        group.MapPost("/test", SendTestAsync).WithName("SendWebhookTest")
            .WithSummary("Queues a webhook.test event for the endpoint now; its attempt shows in the attempts list.");
        group.MapPost("/replay", ReplayAsync).WithName("ReplayWebhookEvents")
            .WithSummary("Sends the events of a time range, or of one message, to the endpoint again, with their original ids.");
        return v1;
    }

    internal static async Task<Results<Ok<WebhookAttemptPage>, ProblemHttpResult, ValidationProblem>> ListAttemptsAsync(
        string tenantId, string endpointId, int? limit, string? next, WebhookAttemptLog log, IGrainFactory grains, CancellationToken cancellationToken)
    {
        // A cursor is a row key: inverted ticks and a random tail, digits and hex.
        if (Paging.Problems(limit, next, isCursor: c => c.Length <= 40 && c.All(char.IsAsciiHexDigitLower)) is { Count: > 0 } problems)
        {
            return TypedResults.ValidationProblem(problems);
        }

        if (await FindAsync(grains, tenantId, endpointId) is null)
        {
            return NotFound(tenantId, endpointId);
        }

        var (attempts, after) = await log.ListAsync(tenantId, endpointId, limit ?? Paging.DefaultLimit, next, cancellationToken);
        return TypedResults.Ok(new WebhookAttemptPage([.. attempts.Select(a => new WebhookAttemptResponse(a.Time, a.Attempt, a.EventIds, a.Status,
            Math.Round(a.Latency.TotalMilliseconds, 1), a.Error, a.NextAttempt, a.Replay))], after));
    }

    static async Task<Results<Accepted<WebhookTestResponse>, ProblemHttpResult>> SendTestAsync(
        string tenantId, string endpointId, WebhookQueue queue, IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        if (await FindAsync(grains, tenantId, endpointId) is null)
        {
            return NotFound(tenantId, endpointId);
        }

        var test = RelayEvent.ForTenant(tenantId, EventType.Test, time.GetUtcNow(), "A test event, sent on request.", endpointId: endpointId);
        await queue.SendAsync(tenantId, [new WebhookShare(endpointId, 0, [test])], cancellationToken);
        return TypedResults.Accepted($"/v1/tenants/{tenantId}/webhooks/{endpointId}/attempts", new WebhookTestResponse(test.Id));
    }

    static async Task<Results<Accepted<WebhookReplayResponse>, ProblemHttpResult, ValidationProblem>> ReplayAsync(
        string tenantId, string endpointId, WebhookReplayRequest? request, WebhookQueue queue, MessageLedger ledger, TenantEventLog tenantEvents,
        IGrainFactory grains, IOptions<RetryOptions> retry, CancellationToken cancellationToken)
    {
        if (Validate(request, tenantId, out var range) is { } problem)
        {
            return problem;
        }

        if (await FindAsync(grains, tenantId, endpointId) is not { } endpoint)
        {
            return NotFound(tenantId, endpointId);
        }

        List<RelayEvent> events;
        string? next = null;
        if (request!.MessageId is { } messageId)
        {
            var message = MessageId.TryParse(messageId, out var id) ? await ledger.GetAsync(id, cancellationToken) : null;
            if (message is null)
            {
                return TypedResultsProblem.NotFound($"Message '{messageId}' of tenant '{tenantId}'");
            }

            events = [.. message.Events];
        }
        else
        {
            // Events of the range belong to messages accepted in it, or before it by up to a message's lifetime (retries).
            var (from, to) = range;
            events = [];
            var continuation = request.Next;
            do
            {
                var (page, after) = await ledger.ListAcceptedBetweenAsync(tenantId, from - retry.Value.MaxLifetime, to, 200, continuation, cancellationToken);
                events.AddRange(page.SelectMany(m => m.Events).Where(e => e.Time >= from && e.Time <= to));
                continuation = after;
            }
            while (continuation is not null && events.Count < MaxReplayEvents);

            next = continuation;
            if (request.Next is null)
            {
                events.AddRange(await tenantEvents.ListBetweenAsync(tenantId, from, to, MaxReplayEvents, cancellationToken));
            }
        }

        var wanted = events.Where(endpoint.Takes).OrderBy(e => e.Time).ToList();
        await queue.SendAsync(tenantId, [new WebhookShare(endpointId, 0, wanted)], cancellationToken, replay: true);
        return TypedResults.Accepted($"/v1/tenants/{tenantId}/webhooks/{endpointId}/attempts", new WebhookReplayResponse(wanted.Count, next));
    }

    static ValidationProblem? Validate(WebhookReplayRequest? request, string tenantId, out (DateTimeOffset From, DateTimeOffset To) range)
    {
        range = default;
        var errors = new Dictionary<string, string[]>();
        if (request is null || (request.MessageId is null) == (request.From is null && request.To is null))
        {
            errors["body"] = ["Give either messageId, or from and to."];
        }
        else if (request.MessageId is { } id && (!MessageId.TryParse(id, out var parsed) || parsed.TenantId != tenantId))
        {
            errors["messageId"] = ["Not one of this tenant's message ids."];
        }
        else if (request.MessageId is null)
        {
            if (!Time(request.From, out var from) || !Time(request.To, out var to))
            {
                errors["from"] = ["Give both from and to, as ISO 8601 times with an offset (2026-12-01T09:00:00Z)."];
            }
            else if (to < from || to - from > MaxReplayRange)
            {
                errors["to"] = [$"After from, and at most {MaxReplayRange.TotalDays:F0} days after it."];
            }
            else
            {
                range = (from, to);
            }

            if (request.Next is { } c && (c.Length > 40 || !c.All(char.IsAsciiLetterOrDigit)))
            {
                errors["next"] = ["Pass the 'next' value of the previous replay."];
            }
        }

        return errors.Count == 0 ? null : TypedResults.ValidationProblem(errors);
    }

    // Times are taken as text and parsed here: a body that does not bind would be refused before the key is checked.
    static bool Time(string? text, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out time);

    static async Task<WebhookEndpoint?> FindAsync(IGrainFactory grains, string tenantId, string endpointId) =>
        TenantIds.IsValid(tenantId) && endpointId.Length <= 64 ? await grains.GetGrain<IWebhookEndpointsGrain>(tenantId).GetAsync(endpointId) : null;

    static ProblemHttpResult NotFound(string tenantId, string endpointId) => TypedResultsProblem.NotFound($"Webhook endpoint '{endpointId}' of tenant '{tenantId}'");
}

/// <summary>One request to the endpoint: when, which try (1 = first), the event ids it carried, the HTTP status (null: none came back), the latency, the error, the next try.</summary>
public sealed record WebhookAttemptResponse(DateTimeOffset Time, int Attempt, IReadOnlyList<string> EventIds, int? Status, double LatencyMs, string? Error,
    DateTimeOffset? NextAttempt, bool Replay);

/// <summary>A page of attempts; pass <see cref="Next"/> as 'next' for the page after it (null: there is none).</summary>
public sealed record WebhookAttemptPage(IReadOnlyList<WebhookAttemptResponse> Items, string? Next);

public sealed record WebhookTestResponse(string EventId);

/// <summary>Either a message id, or a time range (with the previous answer's 'next' to go on with a long range).</summary>
public sealed record WebhookReplayRequest(string? MessageId, string? From, string? To, string? Next);

/// <summary>How many events were queued, and where to go on when the range held more than one replay sends.</summary>
public sealed record WebhookReplayResponse(int Events, string? Next);
