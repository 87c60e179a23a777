using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Sendarix.Api.Security;
using Sendarix.Contracts.Destinations;
using Sendarix.Core.Addressing;
using Sendarix.Storage.Retries;

namespace Sendarix.Api.Destinations;

public static class DestinationsApi
{
    // Counting a huge backlog row by row is not worth it: past this the answer says "at least".
    const int MaxCounted = 10_000;

    // Listing counts each destination's backlog only this far, and looks at this many destinations, so it stays quick.
    const int MaxCountedInList = 1000;
    const int MaxListed = 5000;

    public static RouteGroupBuilder MapDestinationsApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/destinations", ListAsync).WithTags("Destinations").RequireOperator().WithName("ListDestinations")
            .WithSummary("Where mail waits: destinations with deferred messages (counted up to 1000 each), a back-off or a hold, the largest backlog first.");
        var destinations = v1.MapGroup("/destinations/{domain}").WithTags("Destinations").RequireOperator();
        destinations.MapGet("/", GetAsync).WithName("GetDestination")
            .WithSummary("A destination's back-off or pause, its deferred messages waiting (counted up to 10000) and when they are next released.");
        destinations.MapPost("/pause", (string domain, IGrainFactory grains, RetryStore retries, CancellationToken ct) => SetPausedAsync(domain, true, grains, retries, ct))
            .WithName("PauseDestination").WithSummary("Holds all delivery to the destination until resumed (recipients still expire at the end of their lifetime).");
        destinations.MapPost("/resume", (string domain, IGrainFactory grains, RetryStore retries, CancellationToken ct) => SetPausedAsync(domain, false, grains, retries, ct))
            .WithName("ResumeDestination").WithSummary("Lets delivery to a held destination go on (within a reminder period).");
        return v1;
    }

    static async Task<Results<Ok<DestinationResponse>, ValidationProblem>> GetAsync(string domain, IGrainFactory grains, RetryStore retries, CancellationToken cancellationToken)
    {
        if (!TryDestination(domain, out var destination))
        {
            return Invalid();
        }

        var status = await grains.GetGrain<IDestinationGrain>(destination).GetStatusAsync();
        return TypedResults.Ok(await ResponseAsync(status, retries, MaxCounted, cancellationToken));
    }

    internal static async Task<Results<Ok<List<DestinationResponse>>, ValidationProblem>> ListAsync(
        IGrainFactory grains, RetryStore retries, DestinationIndex index, TimeProvider time, CancellationToken cancellationToken, int limit = 100)
    {
        if (limit is < 1 or > 1000)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["Between 1 and 1000."] });
        }

        var names = await index.ListAsync(MaxListed, cancellationToken);
        var listed = new ConcurrentBag<DestinationResponse>();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (name, ct) =>
        {
            // Asking the grain also brings its index row up to date: one with nothing left leaves the index. A
            // destination that cannot be read now is left out rather than failing the whole list.
            try
            {
                var status = await grains.GetGrain<IDestinationGrain>(name).GetStatusAsync();
                var response = await ResponseAsync(status, retries, MaxCountedInList, ct);
                if (response.Paused || response.DeferredMessages > 0 || response.BackoffUntil > time.GetUtcNow() || response.NextRelease is not null)
                {
                    listed.Add(response);
                }
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
            }
        });

        return TypedResults.Ok(listed.OrderByDescending(d => d.DeferredMessages).ThenBy(d => d.Destination, StringComparer.Ordinal).Take(limit).ToList());
    }

    static async Task<Results<Ok<DestinationResponse>, ValidationProblem>> SetPausedAsync(string domain, bool paused, IGrainFactory grains, RetryStore retries, CancellationToken cancellationToken)
    {
        if (!TryDestination(domain, out var destination))
        {
            return Invalid();
        }

        var status = await grains.GetGrain<IDestinationGrain>(destination).SetPausedAsync(paused);
        return TypedResults.Ok(await ResponseAsync(status, retries, MaxCounted, cancellationToken));
    }

    static async Task<DestinationResponse> ResponseAsync(DestinationStatus s, RetryStore retries, int countUpTo, CancellationToken cancellationToken)
    {
        var deferred = await retries.CountAsync(s.Destination, countUpTo, cancellationToken);
        return new DestinationResponse(s.Destination, s.Paused, s.BackoffUntil, s.ConsecutiveFailures, s.LastError, s.NextRelease, deferred, deferred >= countUpTo);
    }

    // Delivery names a destination by the recipient's domain: a host name in its A-label form, or an address literal.
    static bool TryDestination(string domain, out string destination)
    {
        if (domain.StartsWith('[') && DomainName.IsValid(domain))
        {
            destination = domain.ToLowerInvariant();
            return true;
        }

        return DomainName.TryToAscii(domain, out destination);
    }

    static ValidationProblem Invalid() => TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["domain"] = ["Not a domain name."] });
}

/// <summary>A destination now: held by the operator, backed off until, its deferred messages waiting (at least, when capped).</summary>
public sealed record DestinationResponse(string Destination, bool Paused, DateTimeOffset? BackoffUntil, int ConsecutiveFailures, string? LastError,
    DateTimeOffset? NextRelease, int DeferredMessages, bool DeferredCountCapped);
