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
    /// Decides from the reply class: 2xx delivered, 5xx bounced, anything else deferred until the schedule's next
    /// attempt (or the destination's back-off, if later), or expired once the message has outlived the queue lifetime.
    /// </summary>
    public static Disposition Decide(Replies.SmtpReply reply, int failedAttempts, DateTimeOffset acceptedAt, DateTimeOffset now, RetryPolicy policy, DateTimeOffset? notBefore = null)
    {
        switch (reply.Class)
        {
            case Replies.ReplyClass.Success:
                return new Disposition(DispositionKind.Delivered, null);
            case Replies.ReplyClass.Permanent:
                return new Disposition(DispositionKind.Bounced, null);
        }

        var retry = policy.AfterTemporaryFailure(failedAttempts, acceptedAt, now, notBefore);
        return retry.Expired ? new Disposition(DispositionKind.Expired, null) : new Disposition(DispositionKind.Deferred, retry.NextAttempt);
    }
}
