using Microsoft.Extensions.Logging;
using Sendarix.Core.Retention;
using Sendarix.Storage.Bodies;
using Sendarix.Storage.Messages;
using Sendarix.Storage.Search;
using Sendarix.Storage.Tenants;

namespace Sendarix.Storage.Retention;

/// <summary>
/// Deletes what a tenant's retention has passed: its messages accepted before the cutoff whose every recipient is
/// settled (<see cref="RetentionRules.IsSettled(int, IEnumerable{Core.Events.RelayEvent})"/>), with their events,
/// search rows and bodies, and its other events. A message still queued or deferred is kept, with its body, and
/// looked at again by the next sweep. Search rows go before the message: a sweep cut short leaves the message to be
/// found and finished by the next one.
/// </summary>
public sealed partial class RetentionSweeper(MessageLedger ledger, SearchIndex search, TenantEventLog tenantEvents, BodyStore bodies,
    ILogger<RetentionSweeper> logger)
{
    const int PageSize = 100;

    /// <param name="bodiesFrom">Where the last sweep's body deletion stopped (null: look at every body of the tenant).</param>
    public async Task<RetentionSweepResult> SweepAsync(string tenantId, DateTimeOffset cutoff, DateTimeOffset? bodiesFrom, CancellationToken cancellationToken)
    {
        var (deleted, kept) = (0, 0);
        var keptBodies = new HashSet<string>(StringComparer.Ordinal);
        DateTimeOffset? oldestKept = null;
        string? next = null;
        do
        {
            (var page, next) = await ledger.ListAcceptedBetweenAsync(tenantId, DateTimeOffset.UnixEpoch, cutoff, PageSize, next, cancellationToken);
            var settled = new List<LedgerMessage>(page.Count);
            foreach (var message in page)
            {
                if (RetentionRules.IsSettled(message.Recipients.Count, message.Events))
                {
                    settled.Add(message);
                    continue;
                }

                kept++;
                oldestKept = oldestKept is { } o && o < message.AcceptedAt ? o : message.AcceptedAt;
                if (message.Body is { } body)
                {
                    keptBodies.Add(body.Blob);
                }
            }

            await search.RemoveAsync(settled, cancellationToken);
            await ledger.DeleteAsync(settled, cancellationToken);
            deleted += settled.Count;
        }
        while (next is not null);

        var bodiesDeleted = await bodies.DeleteAsync(tenantId, bodiesFrom, cutoff, keptBodies, cancellationToken);
        var eventsDeleted = await tenantEvents.DeleteBeforeAsync(tenantId, cutoff, cancellationToken);
        LogSwept(logger, tenantId, cutoff, deleted, kept, bodiesDeleted, eventsDeleted);

        // The next sweep's bodies start at the oldest body kept (it may be deleted then), or where this one stopped.
        var bodiesNext = oldestKept is { } oldest && oldest < cutoff ? oldest.AddHours(-1) : cutoff;
        return new RetentionSweepResult(deleted, kept, bodiesDeleted, eventsDeleted, bodiesNext);
    }

    [LoggerMessage(EventId = 7001, EventName = "RetentionSwept", Level = LogLevel.Information,
        Message = "Retention sweep of tenant {TenantId} before {Cutoff:o}: {Deleted} messages deleted, {Kept} kept (still in delivery), {Bodies} body blobs and {Events} tenant events deleted")]
    static partial void LogSwept(ILogger logger, string tenantId, DateTimeOffset cutoff, int deleted, int kept, int bodies, int events);
}

/// <summary>What a sweep deleted and kept, and where the next one's body deletion starts.</summary>
public sealed record RetentionSweepResult(int MessagesDeleted, int MessagesKept, int BodiesDeleted, int TenantEventsDeleted, DateTimeOffset BodiesFrom);
