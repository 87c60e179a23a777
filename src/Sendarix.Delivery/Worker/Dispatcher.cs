using Microsoft.Extensions.Options;
using Sendarix.Contracts.Shaping;
using Sendarix.Core.Bounces;
using Sendarix.Core.Egress;
using Sendarix.Core.Providers;
using Sendarix.Core.Replies;
using Sendarix.Core.Retry;
using Sendarix.Core.Smtp;
using Sendarix.Delivery.Egress;
using Sendarix.Delivery.Shaping;
using Sendarix.Delivery.Transport;
using Sendarix.Storage.Queue;

namespace Sendarix.Delivery.Worker;

/// <summary>
/// Carries out a planned send and judges what came back: each recipient's decision, and what the answers say about
/// the egress IP (its reputation with the provider, a block that moves traffic to the pool's other IPs) and about
/// the destination (an outage or a request to slow down: a back-off).
/// </summary>
internal sealed class Dispatcher(
    EgressChooser egress,
    IGrainFactory grains,
    IOptions<DeliveryOptions> options,
    IOptions<RetryOptions> retryOptions,
    IOptions<ShapingOptions> shaping,
    TimeProvider time)
{
    readonly SemaphoreSlim _attempts = new(options.Value.MaxConcurrentDeliveries);

    public async Task<Dispatched> SendAsync(SmtpTransport transport, DeliveryWorkItem item, SendPlan plan, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var (resolution, profile, source, scope, destination, recipients) = plan;
        var policy = retryOptions.Value.ToPolicy();
        var upstream = resolution.Upstream;

        // An upstream account's limits hold for the account, whichever of the relay's IPs sends.
        var throttle = grains.GetGrain<IThrottleGrain>(upstream is null ? IThrottleGrain.Key(resolution.Provider, source.Key) : IThrottleGrain.Key(upstream.DestinationKey, "*"));
        AttemptResult result;
        await _attempts.WaitAsync(cancellationToken);
        try
        {
            result = await transport.SendAsync(resolution, source.Address, throttle, profile, item.From, recipients.Select(r => r.Address).ToList(), body,
                OutboundDsn.For(item, recipients), NeedsSmtpUtf8(item, recipients, body.Span), cancellationToken);
        }
        finally
        {
            _attempts.Release();
        }

        var at = time.GetUtcNow();
        if (result.HeldBack is not null)
        {
            return new Dispatched(Decision.HeldBack(item, recipients, resolution.Provider, result.HeldBack, shaping.Value.ThrottleWait, policy, at).ToList(), false);
        }

        var replies = recipients.Select(r =>
        {
            var reply = result.Unreachable ?? result.Replies[r.Address];
            return (Recipient: r, Reply: reply, Why: reply.Class == ReplyClass.Success ? null : BounceClassifier.Classify(reply, resolution.Provider));
        }).ToList();

        // What the receiver answered counts toward the IP's reputation with the provider; a connection that never got
        // an answer says nothing about the IP, nor does an upstream account's answer.
        if (result.Unreachable is not { Code: 0 } && upstream is null)
        {
            await egress.RecordAsync(source, resolution.Provider, IpOutcomes.Of(replies.Select(r => (r.Reply, r.Why))));
        }

        // The receiver throttled or blocked this IP: keep its traffic off the IP for the cool-down; the pool's other IPs
        // take it (the deferred recipients included, on their retry). A permanent block was the IP's, not the
        // recipient's: such a recipient goes through another IP (at once, or when one comes back), once per IP of the
        // pool, and bounces after that.
        (int PoolSize, DateTimeOffset? NextChance)? elsewhere = null;
        if (replies.FirstOrDefault(r => r.Why?.Action == BounceAction.BackOffIp) is { Why: not null } blocked)
        {
            await egress.DeprioritiseAsync(source, scope, blocked.Reply.ToString());
            if (replies.Any(r => Disposition.IsIpBlock(r.Reply, r.Why)))
            {
                elsewhere = await egress.ElsewhereAsync(item.TenantId, item.Subtenant, resolution.Provider, scope, source);
            }
        }

        // No host answered at all: an outage, backed off on the retry schedule. A host that answered (even with a 421
        // greeting) is judged by its reply like any other.
        DateTimeOffset? backoff = null;
        var upstreamDown = false;
        if (result.Unreachable is { Code: 0 } unreachable)
        {
            backoff = await destination.ReportUnreachableAsync(unreachable.ToString());
            upstreamDown = upstream is not null;
        }
        else if (upstream is not null && replies.All(r => r.Why?.Rule is { } rule && rule.StartsWith(BounceClassifier.UpstreamAccountRule, StringComparison.Ordinal)))
        {
            // The upstream refused the whole attempt for the account (its quota, a suspension, a sender it will not
            // send as): a problem of the route, not of the recipients, held off like an outage.
            backoff = await destination.ReportDeferredAsync(replies[0].Reply.ToString(), at + shaping.Value.DestinationBackoff);
            upstreamDown = true;
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

        return new Dispatched(replies.Select(r =>
        {
            var ipBlock = Disposition.IsIpBlock(r.Reply, r.Why);
            var recipient = ipBlock ? r.Recipient with { IpBlocks = r.Recipient.IpBlocks + 1 } : r.Recipient;
            var elsewhereAt = ipBlock && elsewhere is { } e && recipient.IpBlocks < e.PoolSize ? e.NextChance : null;
            return new Decision(recipient, r.Reply, r.Why, Disposition.Decide(r.Reply, r.Recipient.Attempts + 1, item.AcceptedAt, at, policy, backoff, r.Why, elsewhereAt),
                r.Recipient.Attempts + 1, result.RemoteHost, source.Key);
        }).ToList(), upstreamDown);
    }

    /// <summary>
    /// Whether the mail can only go to a server that offers SMTPUTF8: the client sent it so, and a local part or the
    /// header is not ASCII (a UTF-8 domain alone is sent as its A-label, which is exact).
    /// </summary>
    static bool NeedsSmtpUtf8(DeliveryWorkItem item, IReadOnlyList<WorkRecipient> recipients, ReadOnlySpan<byte> body) =>
        item.SmtpUtf8 == true && (InternationalPath.HasInternationalLocalPart(item.From)
                                  || recipients.Any(r => InternationalPath.HasInternationalLocalPart(r.Address)) || !InternationalPath.HeaderIsAscii(body));
}

/// <summary>
/// The decisions of a send, and whether it went to an upstream route that could not take the mail at all (unreachable,
/// the login refused, or the account refused): a route that falls back to direct delivery sends it direct then.
/// </summary>
internal sealed record Dispatched(IReadOnlyList<Decision> Decisions, bool UpstreamDown);
