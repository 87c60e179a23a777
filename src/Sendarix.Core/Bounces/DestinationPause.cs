using Sendarix.Core.Replies;

namespace Sendarix.Core.Bounces;

/// <summary>
/// Whether the replies of one attempt should pause the whole destination, and for how long. A 421 (the server is
/// closing the channel) or one 450/451/452/454 given to every recipient alike says the destination wants less from us;
/// greylisting, full mailboxes and other per-recipient answers do not, and a pause for them would hold up everyone
/// else's mail. An IP back-off does not either: it is the sending IP that is deprioritised, and the pool's other IPs
/// carry on. The pause is the wait the reply names, else <paramref name="defaultPause"/>.
/// </summary>
public static class DestinationPause
{
    static readonly HashSet<BounceCategory> PerRecipient = [BounceCategory.Greylisted, BounceCategory.MailboxFull, BounceCategory.InvalidRecipient, BounceCategory.InactiveMailbox];

    public static TimeSpan? For(IReadOnlyList<(SmtpReply Reply, BounceClassification? Why)> replies, TimeSpan defaultPause)
    {
        var temporary = replies.Where(r => r.Reply.Class == ReplyClass.Temporary && r.Why is not null
                                           && !PerRecipient.Contains(r.Why.Category) && r.Why.Action != BounceAction.BackOffIp).ToList();
        if (temporary.Count == 0)
        {
            return null;
        }

        var pausing = temporary.Where(r => r.Reply.Code == 421).ToList();
        if (pausing.Count == 0 && temporary.Count == replies.Count
            && temporary.All(r => r.Reply.Code is 450 or 451 or 452 or 454 && r.Reply.Text == temporary[0].Reply.Text))
        {
            pausing = temporary;
        }

        return pausing.Count == 0 ? null : pausing.Max(r => r.Why!.RetryAfter) ?? defaultPause;
    }
}
