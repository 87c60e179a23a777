using Microsoft.Extensions.Options;
using Sendarix.Contracts.Destinations;
using Sendarix.Contracts.Shaping;
using Sendarix.Contracts.Suppression;
using Sendarix.Contracts.Upstreams;
using Sendarix.Core.Bounces;
using Sendarix.Core.Providers;
using Sendarix.Core.Replies;
using Sendarix.Core.Retry;
using Sendarix.Core.Routing;
using Sendarix.Core.Sandbox;
using Sendarix.Core.Suppression;
using Sendarix.Delivery.Egress;
using Sendarix.Delivery.Routing;
using Sendarix.Delivery.Shaping;
using Sendarix.Storage.Queue;

namespace Sendarix.Delivery.Worker;

/// <summary>
/// Plans delivery to one destination domain: decides at once whatever needs no connection (the mailbox simulator,
/// suppressed recipients, a destination in back-off, a domain that does not resolve, no egress IP free) and, for
/// the rest, chooses the route, the provider's profile and the egress IP to send from.
/// </summary>
internal sealed class DeliveryPlanner(
    DestinationResolver resolver,
    UpstreamRoutes upstreams,
    ProviderProfiles profiles,
    EgressChooser egress,
    IGrainFactory grains,
    IOptions<DeliveryOptions> options,
    IOptions<RetryOptions> retryOptions,
    IOptions<ShapingOptions> shaping,
    TimeProvider time)
{
    public async Task<DeliveryPlan> PlanAsync(DeliveryWorkItem item, string domain, IReadOnlyList<WorkRecipient> recipients, CancellationToken cancellationToken)
    {
        if (options.Value.SandboxDomain is { Length: > 0 } sandbox && string.Equals(domain, sandbox, StringComparison.OrdinalIgnoreCase))
        {
            return new DeliveryPlan(Simulate(item, domain, recipients), null);
        }

        // Suppressed recipients are never attempted; the event says why.
        var suppressed = (await grains.GetGrain<ISuppressionGrain>(item.Suppressions).FilterAsync(recipients.Select(r => r.Address).ToList()))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var skipped = recipients.Where(r => suppressed.Contains(r.Address)).Select(r =>
            new Decision(r, SmtpReply.ConnectionFailure("5.7.1 Not sent: the recipient is on the account's suppression list"), null,
                new Disposition(DispositionKind.Suppressed, null), r.Attempts, null)).ToList();
        var rest = recipients.Where(r => !suppressed.Contains(r.Address)).ToList();
        if (rest.Count == 0)
        {
            return Decided(item, domain, skipped);
        }

        var upstream = await upstreams.FindAsync(item.TenantId, item.From);
        var (decided, send) = await PlanUnsuppressedAsync(item, domain, rest, upstream, cancellationToken);
        return new DeliveryPlan(new GroupOutcome(item, domain, [.. skipped, .. decided]), send);
    }

    /// <summary>Plans sending to the recipients' own MX hosts: after their upstream route could not take them.</summary>
    public async Task<DeliveryPlan> PlanDirectAsync(DeliveryWorkItem item, string domain, IReadOnlyList<WorkRecipient> recipients, CancellationToken cancellationToken)
    {
        var (decided, send) = await PlanUnsuppressedAsync(item, domain, [.. recipients], null, cancellationToken);
        return new DeliveryPlan(new GroupOutcome(item, domain, decided), send);
    }

    /// <param name="upstream">The tenant's upstream route for this mail; null: direct to the domain's MX hosts.</param>
    async Task<(IReadOnlyList<Decision> Decided, SendPlan? Send)> PlanUnsuppressedAsync(DeliveryWorkItem item, string domain, List<WorkRecipient> recipients,
        UpstreamDeliveryRoute? upstream, CancellationToken cancellationToken)
    {
        var policy = retryOptions.Value.ToPolicy();

        // An upstream's back-off is its own (per tenant and route), never the recipient domain's.
        var destination = grains.GetGrain<IDestinationGrain>(upstream?.DestinationKey ?? domain);
        if (await destination.GetBackoffAsync() is { } until)
        {
            if (upstream is { Settings.FallbackToDirect: true })
            {
                // The upstream cannot take mail now: the recipients' own MX hosts take it meanwhile, as the next endpoint of a pool would.
                return await PlanUnsuppressedAsync(item, domain, recipients, null, cancellationToken);
            }

            var now = time.GetUtcNow();
            var held = upstream is null ? domain : $"upstream route {upstream.Name}";
            var reply = SmtpReply.ConnectionFailure($"4.4.1 Delivery to {held} is held until {until:u} (backed off after failures, or paused by the operator)");
            var why = new BounceClassification(BounceCategory.BadConnection, BounceAction.Retry, null, SuppressionRules.RelayHold);
            return (recipients.Select(r =>
            {
                var decision = policy.Postpone(item.AcceptedAt, now, until);
                var disposition = decision.Expired ? new Disposition(DispositionKind.Expired, null) : new Disposition(DispositionKind.Deferred, decision.NextAttempt);
                return new Decision(r, reply, why, disposition, r.Attempts, null);
            }).ToList(), null);
        }

        var resolution = upstream is null ? await resolver.ResolveAsync(domain, cancellationToken) : await resolver.ResolveUpstreamAsync(upstream, cancellationToken);
        if (resolution.Error is not null && upstream is { Settings.FallbackToDirect: true })
        {
            return await PlanUnsuppressedAsync(item, domain, recipients, null, cancellationToken);
        }

        if (resolution.Error is { } error)
        {
            var now = time.GetUtcNow();
            var reply = SmtpReply.ConnectionFailure(error);
            var why = BounceClassifier.Classify(reply);
            return (recipients.Select(r => new Decision(r, reply, why,
                resolution.Permanent ? new Disposition(DispositionKind.Failed, null) : Disposition.Decide(reply, r.Attempts + 1, item.AcceptedAt, now, policy, why: why),
                r.Attempts + 1, null)).ToList(), null);
        }

        // The provider's profile can only make TLS stricter than the route or MX policy, never looser. An upstream
        // route carries the throttle its provider publishes (or the tenant set).
        ProviderProfile profile;
        if (upstream is { Settings: var s })
        {
            profile = new ProviderProfile(s.Connections, s.MessagesPerConnection, s.MessagesPerMinute, s.Tls);
        }
        else
        {
            profile = await profiles.GetAsync(resolution.Provider);
            resolution = resolution with { Tls = TlsPolicies.Strictest(resolution.Tls, profile.Tls) };
        }

        var scope = upstream?.DestinationKey ?? EgressChooser.ScopeOf(resolution.Provider, domain);
        var (source, noSource) = await egress.ChooseAsync(item.TenantId, item.Subtenant, resolution.Provider, scope);
        if (source is null)
        {
            return (Decision.HeldBack(item, recipients, resolution.Provider, noSource, shaping.Value.ThrottleWait, policy, time.GetUtcNow()).ToList(), null);
        }

        return ([], new SendPlan(resolution, profile, source, scope, destination, recipients));
    }

    /// <summary>The mailbox simulator's answers, decided and recorded like real ones, with nothing sent.</summary>
    GroupOutcome Simulate(DeliveryWorkItem item, string domain, IReadOnlyList<WorkRecipient> recipients)
    {
        var policy = retryOptions.Value.ToPolicy();
        var now = time.GetUtcNow();
        var simulations = recipients.Select(r => (Recipient: r, Simulation: MailboxSimulator.For(r.Address[..r.Address.LastIndexOf('@')], r.Attempts))).ToList();
        var decisions = simulations.Select(s =>
        {
            var (r, simulation) = s;
            if (simulation.Suppressed)
            {
                return new Decision(r, SmtpReply.ConnectionFailure("5.7.1 Not sent: the recipient is on the account's suppression list (simulated)"),
                    null, new Disposition(DispositionKind.Suppressed, null), r.Attempts, null);
            }

            var why = simulation.Reply.Class == ReplyClass.Success ? null : BounceClassifier.Classify(simulation.Reply);
            return new Decision(r, simulation.Reply, why, Disposition.Decide(simulation.Reply, r.Attempts + 1, item.AcceptedAt, now, policy, why: why), r.Attempts + 1, "simulator");
        }).ToList();
        return new GroupOutcome(item, domain, decisions, Simulated: true, simulations.Where(s => s.Simulation.Complaint).Select(s => s.Recipient.Index).ToHashSet());
    }

    static DeliveryPlan Decided(DeliveryWorkItem item, string domain, IReadOnlyList<Decision> decisions) => new(new GroupOutcome(item, domain, decisions), null);
}

/// <summary>What was decided without sending, and what is to be sent (if anything).</summary>
internal sealed record DeliveryPlan(GroupOutcome Decided, SendPlan? Send);

/// <summary>A send to plan: the route, the provider's profile, the egress IP and the recipients.</summary>
internal sealed record SendPlan(Resolution Resolution, ProviderProfile Profile, EgressChoice Source, string Scope, IDestinationGrain Destination, IReadOnlyList<WorkRecipient> Recipients);
