using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Core.Events;
using Sendarix.Contracts.Destinations;
using Sendarix.Contracts.Suppression;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Bounces;
using Sendarix.Core.Egress;
using Sendarix.Core.Ids;
using Sendarix.Core.Replies;
using Sendarix.Core.Retry;
using Sendarix.Core.Routing;
using Sendarix.Contracts.Shaping;
using Sendarix.Delivery.Shaping;
using Sendarix.Core.Sandbox;
using Sendarix.Core.Suppression;
using Sendarix.Delivery.Egress;
using Sendarix.Delivery.Routing;
using Sendarix.Delivery.Signing;
using Sendarix.Delivery.Transport;
using Sendarix.Storage.Acceptance;
using Sendarix.Storage.Bodies;
using Sendarix.Storage.Messages;
using Sendarix.Storage.Queue;
using Sendarix.Storage.Retries;

namespace Sendarix.Delivery.Worker;

/// <summary>
/// Takes work from the delivery queue and makes one attempt for each recipient in it, grouped by destination
/// domain. Every outcome is recorded as the recipient's new state plus an event; deferred recipients go to the
/// retry table under their destination, whose grain releases them when due. A queue message is deleted only after
/// all of that is stored, so a crash repeats attempts (at-least-once) but never loses a recipient.
/// </summary>
public sealed partial class DeliveryWorker(
    WorkQueue queue,
    AcceptanceConfirmation confirmation,
    BodyStore bodies,
    MessageLedger ledger,
    RetryStore retries,
    DestinationResolver resolver,
    DkimSigning dkim,
    ProviderProfiles profiles,
    EgressChooser egress,
    IGrainFactory grains,
    IServiceProvider services,
    IOptions<DeliveryOptions> options,
    IOptions<RetryOptions> retryOptions,
    IOptions<ShapingOptions> shaping,
    TimeProvider time,
    ILogger<DeliveryWorker> logger) : BackgroundService
{
    const int ReceiveBatch = 32;

    readonly SemaphoreSlim _attempts = new(options.Value.MaxConcurrentDeliveries);
    readonly SemaphoreSlim _inFlight = new(InFlightSlots(options.Value));
    readonly int _inFlightSlots = InFlightSlots(options.Value);

    // How long a stopping worker lets work already taken finish before the connection pool closes under it.
    static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var pool = ActivatorUtilities.CreateInstance<ConnectionPool>(services);
        var transport = ActivatorUtilities.CreateInstance<SmtpTransport>(services, pool);
        var readers = Enumerable.Range(0, options.Value.QueueReaders).Select(_ => ReadAsync(transport, stoppingToken)).ToList();
        readers.Add(SweepAsync(pool, stoppingToken));
        try
        {
            await Task.WhenAll(readers);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Work in progress stops at its next cancellation point and gives its slot back; wait for that before the
        // pool is disposed, so no connection is returned to a closed pool (its lease would linger until it expires).
        using var drain = new CancellationTokenSource(DrainTimeout);
        try
        {
            for (var taken = 0; taken < _inFlightSlots; taken++)
            {
                await _inFlight.WaitAsync(drain.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    // Work messages held at once: enough to keep the attempts busy, few enough that a crash repeats little and that a
    // silo does not sit on work (waiting for a throttled provider) that another silo could be starting.
    static int InFlightSlots(DeliveryOptions o) => Math.Max(1, o.MaxConcurrentDeliveries / 2);

    async Task SweepAsync(ConnectionPool pool, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.IdleConnectionTimeout / 2 < TimeSpan.FromSeconds(1) ? options.Value.IdleConnectionTimeout / 2 : TimeSpan.FromSeconds(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            pool.Sweep();
        }
    }

    async Task ReadAsync(SmtpTransport transport, CancellationToken stoppingToken)
    {
        var idlePolls = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            await _inFlight.WaitAsync(stoppingToken);
            var slots = 1;
            while (slots < ReceiveBatch && _inFlight.Wait(0))
            {
                slots++;
            }

            IReadOnlyList<WorkMessage> messages;
            try
            {
                messages = await queue.ReceiveAsync(slots, options.Value.QueueVisibilityTimeout, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                _inFlight.Release(slots);
                LogQueueUnavailable(logger, ex);
                await Task.Delay(options.Value.MaxPollInterval, time, stoppingToken);
                continue;
            }
            catch (OperationCanceledException)
            {
                // Stopping: give the slots back, so the drain at shutdown does not wait for work that was never taken.
                _inFlight.Release(slots);
                throw;
            }

            if (slots > messages.Count)
            {
                _inFlight.Release(slots - messages.Count);
            }

            if (messages.Count == 0)
            {
                // Poll an empty queue less and less often, up to the configured interval.
                var pause = TimeSpan.FromMilliseconds(Math.Min(options.Value.MaxPollInterval.TotalMilliseconds, 20 << Math.Min(idlePolls++, 10)));
                await Task.Delay(pause, time, stoppingToken);
                continue;
            }

            idlePolls = 0;
            foreach (var message in messages)
            {
                _ = ProcessAsync(transport, message, stoppingToken);
            }
        }
    }

    async Task ProcessAsync(SmtpTransport transport, WorkMessage message, CancellationToken stoppingToken)
    {
        try
        {
            var items = await confirmation.ConfirmedAsync(message, stoppingToken);
            if (items.Count < message.Items.Count)
            {
                LogUnconfirmedDropped(logger, message.Items.Count - items.Count, message.Id);
            }

            var content = await LoadBodiesAsync(items, stoppingToken);
            foreach (var item in items)
            {
                content[item] = await dkim.SignAsync(item.TenantId, content[item], stoppingToken);
            }

            var attempts = items
                .SelectMany(item => item.Recipients.GroupBy(r => DomainOf(r.Address)).Select(g => AttemptAsync(transport, item, g.Key, g.ToList(), content[item], stoppingToken)))
                .ToList();
            var results = await Task.WhenAll(attempts);

            // The attempts are made: record them even if the silo is stopping (the drain waits for this), rather than
            // leave the work to be repeated after the visibility timeout.
            await ledger.RecordAsync(results.SelectMany(r => r.Outcomes).ToList(), CancellationToken.None);
            // Simulated outcomes never touch a tenant's suppression list or reputation.
            foreach (var tenant in results.Where(r => !r.Simulated).GroupBy(r => r.TenantId))
            {
                var suppress = tenant.SelectMany(r => r.Suppress).ToList();
                if (suppress.Count > 0)
                {
                    await grains.GetGrain<ISuppressionGrain>(tenant.Key).AddAsync(suppress);
                }

                // Reputation counts final answers only: deliveries and bounces; a hard bounce is one that suppresses.
                var sent = tenant.SelectMany(r => r.Outcomes).Count(o => o.Type is EventType.Delivered or EventType.Bounced);
                if (sent > 0)
                {
                    var hardBounces = suppress.Count(e => e.Reason == SuppressionRules.HardBounce);
                    await grains.GetGrain<ITenantReputationGrain>(tenant.Key).RecordAsync(sent, hardBounces, 0);
                }
            }

            foreach (var destination in results.Where(r => r.Retries.Count > 0).GroupBy(r => r.Destination))
            {
                var entries = destination.SelectMany(r => r.Retries).ToList();
                await retries.AddAsync(destination.Key, entries, CancellationToken.None);
                await grains.GetGrain<IDestinationGrain>(destination.Key).ScheduleAsync(entries.Min(e => e.Due));
            }

            await queue.DeleteAsync(message, CancellationToken.None);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Left in the queue: it becomes visible again after the visibility timeout and is retried.
            LogWorkFailed(logger, ex, message.Id);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _inFlight.Release();
        }
    }

    async Task<GroupResult> AttemptAsync(SmtpTransport transport, DeliveryWorkItem item, string domain, List<WorkRecipient> recipients, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (options.Value.SandboxDomain is { Length: > 0 } sandbox && string.Equals(domain, sandbox, StringComparison.OrdinalIgnoreCase))
        {
            return Simulate(item, domain, recipients);
        }

        // Suppressed recipients are never attempted; the event says why.
        var suppressed = (await grains.GetGrain<ISuppressionGrain>(item.TenantId).FilterAsync(recipients.Select(r => r.Address).ToList()))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (suppressed.Count == 0)
        {
            return await AttemptUnsuppressedAsync(transport, item, domain, recipients, body, cancellationToken);
        }

        var skipped = Group(item, domain, recipients.Where(r => suppressed.Contains(r.Address)).Select(r =>
            new Decision(r, SmtpReply.ConnectionFailure("5.7.1 Not sent: the recipient is on the account's suppression list"), null, new Disposition(DispositionKind.Suppressed, null), r.Attempts, null)));
        var rest = recipients.Where(r => !suppressed.Contains(r.Address)).ToList();
        if (rest.Count == 0)
        {
            return skipped;
        }

        var attempted = await AttemptUnsuppressedAsync(transport, item, domain, rest, body, cancellationToken);
        return attempted with { Outcomes = [.. skipped.Outcomes, .. attempted.Outcomes] };
    }

    async Task<GroupResult> AttemptUnsuppressedAsync(SmtpTransport transport, DeliveryWorkItem item, string domain, List<WorkRecipient> recipients, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var policy = retryOptions.Value.ToPolicy();
        var destination = grains.GetGrain<IDestinationGrain>(domain);
        if (await destination.GetBackoffAsync() is { } until)
        {
            var now = time.GetUtcNow();
            var reply = SmtpReply.ConnectionFailure($"4.4.1 Delivery to {domain} is held until {until:u} (backed off after failures, or paused by the operator)");
            var why = new BounceClassification(BounceCategory.BadConnection, BounceAction.Retry, null, SuppressionRules.RelayHold);
            return Group(item, domain, recipients.Select(r =>
            {
                var decision = policy.Postpone(item.AcceptedAt, now, until);
                var disposition = decision.Expired ? new Disposition(DispositionKind.Expired, null) : new Disposition(DispositionKind.Deferred, decision.NextAttempt);
                return new Decision(r, reply, why, disposition, r.Attempts, null);
            }));
        }

        var resolution = await resolver.ResolveAsync(domain, cancellationToken);
        if (resolution.Error is { } error)
        {
            var now = time.GetUtcNow();
            var reply = SmtpReply.ConnectionFailure(error);
            var why = BounceClassifier.Classify(reply);
            return Group(item, domain, recipients.Select(r => new Decision(r, reply, why,
                resolution.Permanent ? new Disposition(DispositionKind.Failed, null) : Disposition.Decide(reply, r.Attempts + 1, item.AcceptedAt, now, policy, why: why),
                r.Attempts + 1, null)));
        }

        // The provider's profile can only make TLS stricter than the route or MX policy, never looser.
        var profile = await profiles.GetAsync(resolution.Provider);
        resolution = resolution with { Tls = TlsPolicies.Strictest(resolution.Tls, profile.Tls) };

        var scope = EgressChooser.ScopeOf(resolution.Provider, domain);
        var (source, noSource) = await egress.ChooseAsync(item.TenantId, resolution.Provider, scope);
        AttemptResult result;
        IThrottleGrain? throttle = null;
        if (source is null)
        {
            result = new AttemptResult(null, new Dictionary<string, SmtpReply>(), null, noSource);
        }
        else
        {
            throttle = grains.GetGrain<IThrottleGrain>(IThrottleGrain.Key(resolution.Provider, source.Key));
            await _attempts.WaitAsync(cancellationToken);
            try
            {
                result = await transport.SendAsync(resolution, source.Address, throttle, profile, item.From, recipients.Select(r => r.Address).ToList(), body, cancellationToken);
            }
            finally
            {
                _attempts.Release();
            }
        }

        var at = time.GetUtcNow();
        if (result.HeldBack is not null || throttle is null)
        {
            // Nobody refused anything: the relay's own limits were full. Try again soon, blaming no destination.
            var reply = SmtpReply.ConnectionFailure($"4.4.5 Held back by the relay's limits for {resolution.Provider}: {result.HeldBack}");
            var why = new BounceClassification(BounceCategory.Transient, BounceAction.Retry, shaping.Value.ThrottleWait, SuppressionRules.RelayHold);
            return Group(item, domain, recipients.Select(r =>
                new Decision(r, reply, why, Disposition.Decide(reply, r.Attempts, item.AcceptedAt, at, policy, why: why), r.Attempts, null)));
        }

        var replies = recipients.Select(r =>
        {
            var reply = result.Unreachable ?? result.Replies[r.Address];
            return (Recipient: r, Reply: reply, Why: reply.Class == ReplyClass.Success ? null : BounceClassifier.Classify(reply, resolution.Provider));
        }).ToList();

        // What the receiver answered counts toward the IP's reputation with the provider; a connection that never got
        // an answer says nothing about the IP.
        if (result.Unreachable is not { Code: 0 })
        {
            await egress.RecordAsync(source!, resolution.Provider, IpOutcomes.Of(replies.Select(r => (r.Reply, r.Why))));
        }

        // The receiver throttled or blocked this IP: keep its traffic off the IP for the cool-down; the pool's other IPs
        // take it (the deferred recipients included, on their retry). A permanent block was the IP's, not the
        // recipient's: such a recipient goes through another IP (at once, or when one comes back), once per IP of the
        // pool, and bounces after that.
        (int PoolSize, DateTimeOffset? NextChance)? elsewhere = null;
        if (replies.FirstOrDefault(r => r.Why?.Action == BounceAction.BackOffIp) is { Why: not null } blocked)
        {
            await egress.DeprioritiseAsync(source!, scope, blocked.Reply.ToString());
            if (replies.Any(r => Disposition.IsIpBlock(r.Reply, r.Why)))
            {
                elsewhere = await egress.ElsewhereAsync(item.TenantId, resolution.Provider, scope, source!);
            }
        }

        // No host answered at all: an outage, backed off on the retry schedule. A host that answered (even with a 421
        // greeting) is judged by its reply like any other.
        DateTimeOffset? backoff = null;
        if (result.Unreachable is { Code: 0 } unreachable)
        {
            backoff = await destination.ReportUnreachableAsync(unreachable.ToString());
        }
        else if (DestinationPause.For(replies.Select(r => (r.Reply, r.Why)).ToList(), shaping.Value.DestinationBackoff) is { } pause)
        {
            // The destination asked for less: pause it, and open fewer connections to the provider from this IP meanwhile.
            var reason = replies.First(r => r.Reply.Class == ReplyClass.Temporary).Reply.ToString();
            backoff = await destination.ReportDeferredAsync(reason, at + pause);
            await throttle.ReduceAsync(at + pause);
        }
        else
        {
            await destination.ReportReachableAsync();
        }

        return Group(item, domain, replies.Select(r =>
        {
            var ipBlock = Disposition.IsIpBlock(r.Reply, r.Why);
            var recipient = ipBlock ? r.Recipient with { IpBlocks = r.Recipient.IpBlocks + 1 } : r.Recipient;
            var elsewhereAt = ipBlock && elsewhere is { } e && recipient.IpBlocks < e.PoolSize ? e.NextChance : null;
            return new Decision(recipient, r.Reply, r.Why, Disposition.Decide(r.Reply, r.Recipient.Attempts + 1, item.AcceptedAt, at, policy, backoff, r.Why, elsewhereAt),
                r.Recipient.Attempts + 1, result.RemoteHost, source!.Key);
        }));
    }

    /// <summary>The mailbox simulator's answers, decided and recorded like real ones, with nothing sent.</summary>
    GroupResult Simulate(DeliveryWorkItem item, string domain, List<WorkRecipient> recipients)
    {
        var policy = retryOptions.Value.ToPolicy();
        var now = time.GetUtcNow();
        var simulations = recipients.Select(r => (Recipient: r, Simulation: MailboxSimulator.For(r.Address[..r.Address.LastIndexOf('@')], r.Attempts))).ToList();
        var result = Group(item, domain, simulations.Select(s =>
        {
            var (r, simulation) = s;
            if (simulation.Suppressed)
            {
                return new Decision(r, SmtpReply.ConnectionFailure("5.7.1 Not sent: the recipient is on the account's suppression list (simulated)"),
                    null, new Disposition(DispositionKind.Suppressed, null), r.Attempts, null);
            }

            var why = simulation.Reply.Class == ReplyClass.Success ? null : BounceClassifier.Classify(simulation.Reply);
            return new Decision(r, simulation.Reply, why, Disposition.Decide(simulation.Reply, r.Attempts + 1, item.AcceptedAt, now, policy, why: why), r.Attempts + 1, "simulator");
        }));

        // A complaint arrives after the delivery: its event comes one tick later, so it sorts (and folds) after it.
        var complaints = simulations.Where(s => s.Simulation.Complaint).Select(s => result.Outcomes.Single(o => o.RecipientIndex == s.Recipient.Index))
            .Select(o => o with { Type = EventType.Complained, Reply = "feedback report: abuse (simulated)", Time = o.Time.AddTicks(1), NextAttempt = null, Category = null });
        return result with { Outcomes = [.. result.Outcomes, .. complaints], Suppress = [], Simulated = true };
    }

    GroupResult Group(DeliveryWorkItem item, string domain, IEnumerable<Decision> decisions)
    {
        var now = time.GetUtcNow();
        var id = MessageId.TryParse(item.MessageId, out var parsed) ? parsed : throw new FormatException($"Bad message id '{item.MessageId}' in work item.");
        var outcomes = new List<RecipientOutcome>();
        var suppress = new List<SuppressedRecipient>();
        var deferred = new List<(DateTimeOffset Due, WorkRecipient Recipient)>();
        foreach (var d in decisions)
        {
            var type = d.Disposition.Kind switch
            {
                DispositionKind.Delivered => EventType.Delivered,
                DispositionKind.Deferred => EventType.Deferred,
                DispositionKind.Bounced => EventType.Bounced,
                DispositionKind.Expired => EventType.Expired,
                DispositionKind.Suppressed => EventType.Suppressed,
                _ => EventType.Failed,
            };
            if (d.Why is not null && d.Disposition.Kind is DispositionKind.Bounced or DispositionKind.Expired or DispositionKind.Failed
                && SuppressionRules.ReasonFor(d.Why, d.Disposition.Kind == DispositionKind.Expired) is { } reason)
            {
                suppress.Add(new SuppressedRecipient(d.Recipient.Address, reason, now, item.MessageId));
            }

            outcomes.Add(new RecipientOutcome(id, d.Recipient.Index, d.Recipient.Address, type, d.Attempts, d.Reply.ToString(), now, d.Disposition.NextAttempt, d.RemoteHost, d.Why?.CategoryName, d.EgressIp));
            LogOutcome(logger, item.MessageId, d.Recipient.Address, type, d.Reply.ToString());
            if (d.Disposition is { Kind: DispositionKind.Deferred, NextAttempt: { } next })
            {
                deferred.Add((next, d.Recipient with { Attempts = d.Attempts }));
            }
        }

        var retryEntries = deferred.GroupBy(d => d.Due)
            .Select(g => (g.Key, item with { Recipients = g.Select(x => x.Recipient).ToList() }))
            .ToList();
        return new GroupResult(item.TenantId, domain, outcomes, retryEntries, suppress);
    }

    async Task<Dictionary<DeliveryWorkItem, ReadOnlyMemory<byte>>> LoadBodiesAsync(IReadOnlyList<DeliveryWorkItem> items, CancellationToken cancellationToken)
    {
        // Items from one acceptance batch share a blob: read the range that covers them once.
        var result = new Dictionary<DeliveryWorkItem, ReadOnlyMemory<byte>>(ReferenceEqualityComparer.Instance);
        foreach (var blob in items.GroupBy(i => i.Blob))
        {
            var start = blob.Min(i => i.Offset);
            var end = blob.Max(i => i.Offset + i.Length);
            var content = await bodies.ReadAsync(blob.Key, start, checked((int)(end - start)), cancellationToken);
            foreach (var item in blob)
            {
                result[item] = content.Slice((int)(item.Offset - start), item.Length);
            }
        }

        return result;
    }

    static string DomainOf(string address) => address[(address.LastIndexOf('@') + 1)..].ToLowerInvariant();

    /// <summary>What becomes of one recipient: the reply, its classification (none for a delivery or a suppressed recipient), the disposition.</summary>
    sealed record Decision(WorkRecipient Recipient, SmtpReply Reply, BounceClassification? Why, Disposition Disposition, int Attempts, string? RemoteHost,
        string? EgressIp = null);

    sealed record GroupResult(string TenantId, string Destination, List<RecipientOutcome> Outcomes, List<(DateTimeOffset Due, DeliveryWorkItem Item)> Retries, List<SuppressedRecipient> Suppress)
    {
        /// <summary>Outcomes acted out by the mailbox simulator.</summary>
        public bool Simulated { get; init; }
    }

    [LoggerMessage(EventId = 3010, EventName = "UnconfirmedWorkDropped", Level = LogLevel.Warning,
        Message = "{Count} message(s) in queue message {QueueMessageId} were never confirmed to their senders (they got 451) and are not delivered")]
    static partial void LogUnconfirmedDropped(ILogger logger, int count, string queueMessageId);

    [LoggerMessage(EventId = 4101, EventName = "DeliveryOutcome", Level = LogLevel.Information,
        Message = "{MessageId} to {Recipient}: {Outcome} ({Reply})")]
    static partial void LogOutcome(ILogger logger, string messageId, string recipient, EventType outcome, string reply);

    [LoggerMessage(EventId = 4102, EventName = "WorkFailed", Level = LogLevel.Warning,
        Message = "Work message {QueueMessageId} could not be completed; it will be retried after the visibility timeout")]
    static partial void LogWorkFailed(ILogger logger, Exception exception, string queueMessageId);

    [LoggerMessage(EventId = 4103, EventName = "QueueUnavailable", Level = LogLevel.Warning,
        Message = "The delivery queue could not be read")]
    static partial void LogQueueUnavailable(ILogger logger, Exception exception);
}
