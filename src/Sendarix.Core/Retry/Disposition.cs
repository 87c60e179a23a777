using Sendarix.Core.Bounces;
using Sendarix.Core.Replies;

namespace Sendarix.Core.Retry;

/// <summary>What becomes of a recipient after an attempt.</summary>
public enum DispositionKind
{
    Delivered,
    Deferred,
    Bounced,
    Expired,
    Failed,

    /// <summary>Not attempted: the recipient is suppressed.</summary>
    Suppressed,
}

/// <summary>A recipient's disposition and, when deferred, its next attempt.</summary>
public readonly record struct Disposition(DispositionKind Kind, DateTimeOffset? NextAttempt)
{
    /// <summary>
    /// Decides from the reply and its classification (<paramref name="why"/>; classified here when not given): 2xx
    /// delivered; a bounce action bounced; a permanent IP block retried through another IP at <paramref name="elsewhereAt"/>
    /// when there is a chance of one (the block was the sending IP's, not the message's), else bounced; anything else
    /// deferred, after the wait the reply names (or the greylisting wait) when there is one, else by the schedule, never
    /// before the destination's back-off (<paramref name="notBefore"/>), or expired once the message has outlived the
    /// queue lifetime.
    /// </summary>
    public static Disposition Decide(SmtpReply reply, int failedAttempts, DateTimeOffset acceptedAt, DateTimeOffset now, RetryPolicy policy,
        DateTimeOffset? notBefore = null, BounceClassification? why = null, DateTimeOffset? elsewhereAt = null)
    {
        if (reply.Class == ReplyClass.Success)
        {
            return new Disposition(DispositionKind.Delivered, null);
        }

        why ??= BounceClassifier.Classify(reply);
        var ipBlock = IsIpBlock(reply, why);
        if (why.Action is BounceAction.Bounce or BounceAction.BounceAndSuppress || (ipBlock && elsewhereAt is null))
        {
            return new Disposition(DispositionKind.Bounced, null);
        }

        var wait = ipBlock ? TimeSpan.Zero : why.RetryAfter ?? (why.Category == BounceCategory.Greylisted ? policy.GreylistRetry : null);
        // An IP block waits for another IP, and never goes before the destination's own back-off.
        var floor = ipBlock && (notBefore is null || elsewhereAt > notBefore) ? elsewhereAt : notBefore;
        var retry = policy.AfterTemporaryFailure(failedAttempts, acceptedAt, now, floor, wait);
        return retry.Expired ? new Disposition(DispositionKind.Expired, null) : new Disposition(DispositionKind.Deferred, retry.NextAttempt);
    }

    /// <summary>A permanent refusal of the sending IP (a blocklisting, a banned IP), not of the recipient.</summary>
    public static bool IsIpBlock(SmtpReply reply, BounceClassification? why) => why?.Action == BounceAction.BackOffIp && reply.Class == ReplyClass.Permanent;
}
