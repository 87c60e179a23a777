using System.Collections.ObjectModel;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Contracts.Destinations;
using Sendarix.Contracts.Held;
using Sendarix.Contracts.Subtenants;
using Sendarix.Contracts.Suppression;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Events;
using Sendarix.Core.Retry;
using Sendarix.Core.Spam;
using Sendarix.Core.Suppression;
using Sendarix.Storage.Events;
using Sendarix.Storage.Queue;
using Sendarix.Storage.Retries;
using Sendarix.Storage.Telemetry;

namespace Sendarix.Delivery.Worker;

/// <summary>
/// Records what a round of delivery decided, the one writer of delivery's events: the accepted event of work taken
/// for the first time, each recipient's outcome, then what follows from them (suppressions, the tenant's reputation,
/// deferred recipients in the retry table with their destination told when they are due). Each recipient's step has
/// its own sequence number, carried in its work, so a round repeated after a crash records the same events again.
/// </summary>
internal sealed partial class OutcomeRecorder(EventRecorder events, RetryStore retries, IGrainFactory grains, IOptions<DeliveryOptions> options, TimeProvider time,
    ILogger<OutcomeRecorder> logger)
{
    /// <param name="items">The work taken: items whose recipients have no event yet get their accepted events.</param>
    /// <param name="outcomes">The decisions for the items' recipients, per destination domain.</param>
    /// <param name="held">Items held back as spam (their rows written): each recipient's held event follows its accepted one.</param>
    public async Task RecordAsync(IReadOnlyList<DeliveryWorkItem> items, IReadOnlyList<GroupOutcome> outcomes, IReadOnlyList<DeliveryWorkItem>? held = null)
    {
        var now = time.GetUtcNow();
        var recorded = new List<RelayEvent>();
        foreach (var item in items)
        {
            var context = WorkItemEvents.Context(item);
            recorded.AddRange(item.Recipients.Where(r => r.Sequence == 0).Select(r => WorkItemEvents.ForRecipient(item, context, r, EventType.Accepted, 0, item.AcceptedAt, item.TraceParent) with
            {
                Reply = $"250 2.0.0 OK: queued as {item.MessageId}",
                Sandbox = IsSandbox(r.Address),
            }));
        }

        foreach (var item in held ?? [])
        {
            var context = WorkItemEvents.Context(item);
            recorded.AddRange(item.Recipients.Select(r => WorkItemEvents.ForRecipient(item, context, r, EventType.Held, 1, now, item.TraceParent) with
            {
                Reply = $"250 2.0.0 Held as spam ({SpamRules.RefusalReason(item.Spam!)})",
            }));
        }

        var suppress = new List<(string TenantId, string List, SuppressedRecipient Entry)>();
        var windows = new Dictionary<string, (int Sent, int HardBounced)>(StringComparer.Ordinal);
        var deferred = new List<(string Destination, DateTimeOffset Due, DeliveryWorkItem Item)>();
        foreach (var group in outcomes)
        {
            var item = group.Item;
            var context = WorkItemEvents.Context(item);

            // What follows from this round continues its span: the events' webhooks and, for deferred recipients, the retry.
            var trace = RelayTracing.TraceParent(group.Span) ?? item.TraceParent;
            var due = new List<(DateTimeOffset Due, WorkRecipient Recipient)>();
            foreach (var d in group.Decisions)
            {
                var type = TypeOf(d.Disposition.Kind);
                var sequence = d.Recipient.Sequence + 1;
                var deferrals = d.Recipient.Deferrals + (type == EventType.Deferred ? 1 : 0);
                var e = WorkItemEvents.ForRecipient(item, context, d.Recipient, type, sequence, now, trace) with
                {
                    Attempt = d.Attempts,
                    Deferrals = deferrals,
                    Reply = d.Reply.ToString(),
                    BounceCategory = d.Why?.CategoryName,
                    RemoteHost = d.RemoteHost,
                    EgressIp = d.EgressIp,
                    NextAttempt = d.Disposition.NextAttempt,
                    Sandbox = group.Simulated,
                };
                recorded.Add(e);
                LogOutcome(logger, item.MessageId, d.Recipient.Address, type, e.Reply!);

                // A complaint arrives after the delivery: the next step of the recipient's history.
                if (group.Complaints?.Contains(d.Recipient.Index) == true)
                {
                    recorded.Add(WorkItemEvents.ForRecipient(item, context, d.Recipient, EventType.Complained, sequence + 1, now.AddTicks(1), trace) with
                    {
                        Attempt = d.Attempts, Reply = "feedback report: abuse (simulated)", Sandbox = true,
                    });
                }

                var reason = d.Why is not null && d.Disposition.Kind is DispositionKind.Bounced or DispositionKind.Expired or DispositionKind.Failed
                    ? SuppressionRules.ReasonFor(d.Why, d.Disposition.Kind == DispositionKind.Expired)
                    : null;
                if (!group.Simulated && reason is not null)
                {
                    suppress.Add((item.TenantId, item.Suppressions, new SuppressedRecipient(d.Recipient.Address, reason, now, item.MessageId)));
                }

                // Reputation counts final answers only: deliveries and bounces; a hard bounce is one that suppresses.
                // A sub-tenant's mail counts in its own window only, so one customer's rates pause that customer and
                // never the platform's other mail. Simulated outcomes count in a sub-tenant's window (a platform tests
                // how a customer's pause reaches it) and never in a tenant's own.
                if (d.Disposition.Kind is DispositionKind.Delivered or DispositionKind.Bounced && (!group.Simulated || item.Subtenant is not null))
                {
                    var key = item.Subtenant is null ? item.TenantId : ISubtenantGrain.Key(item.TenantId, item.Subtenant);
                    var (sent, hard) = windows.GetValueOrDefault(key);
                    windows[key] = (sent + 1, hard + (reason == SuppressionRules.HardBounce ? 1 : 0));
                }

                if (d.Disposition is { Kind: DispositionKind.Deferred, NextAttempt: { } next })
                {
                    due.Add((next, d.Recipient with { Attempts = d.Attempts, Sequence = sequence, Deferrals = deferrals }));
                }
            }

            deferred.AddRange(due.GroupBy(d => d.Due).Select(g => (group.Domain, g.Key, item with { Recipients = g.Select(x => x.Recipient).ToList(), TraceParent = trace })));
        }

        // The attempts are made: record them even if the silo is stopping (the drain waits for this), rather than leave
        // the work to be repeated after the visibility timeout.
        await events.RecordAsync(recorded, CancellationToken.None);

        // Simulated outcomes never touch a suppression list.
        foreach (var list in suppress.GroupBy(s => s.List))
        {
            await grains.GetGrain<ISuppressionGrain>(list.Key).AddAsync([.. list.Select(s => s.Entry)]);
        }

        foreach (var (key, (sent, hard)) in windows)
        {
            await grains.GetGrain<ITenantReputationGrain>(key).RecordAsync(sent, hard, 0);
        }

        foreach (var tenant in (held ?? []).Select(i => i.TenantId).Distinct())
        {
            await grains.GetGrain<IHeldMailGrain>(tenant).WatchAsync();
        }

        foreach (var destination in deferred.GroupBy(d => d.Destination))
        {
            var entries = destination.Select(d => (d.Due, d.Item)).ToList();
            await retries.AddAsync(destination.Key, entries, CancellationToken.None);
            await grains.GetGrain<IDestinationGrain>(destination.Key).ScheduleAsync(entries.Min(e => e.Due));
        }
    }

    // A recipient at the simulator's domain is a test from its acceptance on.
    bool IsSandbox(string address) => options.Value.SandboxDomain is { Length: > 0 } sandbox
        && address.EndsWith("@" + sandbox, StringComparison.OrdinalIgnoreCase);

    static EventType TypeOf(DispositionKind kind) => kind switch
    {
        DispositionKind.Delivered => EventType.Delivered,
        DispositionKind.Deferred => EventType.Deferred,
        DispositionKind.Bounced => EventType.Bounced,
        DispositionKind.Expired => EventType.Expired,
        DispositionKind.Suppressed => EventType.Suppressed,
        _ => EventType.Failed,
    };

    [LoggerMessage(EventId = 4101, EventName = "DeliveryOutcome", Level = LogLevel.Information,
        Message = "{MessageId} to {Recipient}: {Outcome} ({Reply})")]
    static partial void LogOutcome(ILogger logger, string messageId, string recipient, EventType outcome, string reply);
}
