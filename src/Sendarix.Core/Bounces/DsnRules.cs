using Sendarix.Core.Retry;
using Sendarix.Core.Smtp;

namespace Sendarix.Core.Bounces;

/// <summary>What a delivery status notification reports of a recipient (RFC 3464 section 2.3.3's Action).</summary>
public enum DsnAction
{
    None,
    Failed,
    Delayed,
}

/// <summary>
/// When the relay mails a delivery status notification (RFC 3461 section 6) for a recipient, where its tenant asked it
/// to: a final failure unless NOTIFY said otherwise (NOTIFY's default is failures); a first deferral only when NOTIFY
/// asked for DELAY; never with NOTIFY=NEVER; and never for a message with the null sender, so that a notification,
/// which itself has the null sender, can never cause another (no loop).
/// </summary>
public static class DsnRules
{
    public static DsnAction For(string envelopeSender, DsnNotify? notify, DispositionKind outcome, int earlierDeferrals)
    {
        if (envelopeSender.Length == 0 || notify is DsnNotify.Never)
        {
            return DsnAction.None;
        }

        var asked = notify ?? DsnNotify.Default;
        return outcome switch
        {
            DispositionKind.Bounced or DispositionKind.Expired or DispositionKind.Failed or DispositionKind.Suppressed
                when asked == DsnNotify.Default || asked.HasFlag(DsnNotify.Failure) => DsnAction.Failed,
            DispositionKind.Deferred when earlierDeferrals == 0 && asked.HasFlag(DsnNotify.Delay) => DsnAction.Delayed,
            _ => DsnAction.None,
        };
    }
}
