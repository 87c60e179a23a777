using System.Diagnostics;
using Sendarix.Core.Bounces;
using Sendarix.Core.Replies;
using Sendarix.Core.Retry;
using Sendarix.Core.Suppression;
using Sendarix.Storage.Queue;

namespace Sendarix.Delivery.Worker;

/// <summary>
/// What becomes of one recipient: the reply, its classification (none for a delivery or a suppressed recipient),
/// the disposition, the attempts counted so far, and where the attempt went and left from.
/// </summary>
internal sealed record Decision(WorkRecipient Recipient, SmtpReply Reply, BounceClassification? Why, Disposition Disposition, int Attempts, string? RemoteHost,
    string? EgressIp = null)
{
    /// <summary>
    /// Nobody refused anything: the relay's own limits were full (or no egress IP was free). Try again soon, blaming
    /// no destination and counting no attempt.
    /// </summary>
    public static IEnumerable<Decision> HeldBack(DeliveryWorkItem item, IEnumerable<WorkRecipient> recipients, string provider, string? reason, TimeSpan wait,
        RetryPolicy policy, DateTimeOffset now)
    {
        var reply = SmtpReply.ConnectionFailure($"4.4.5 Held back by the relay's limits for {provider}: {reason}");
        var why = new BounceClassification(BounceCategory.Transient, BounceAction.Retry, wait, SuppressionRules.RelayHold);
        return recipients.Select(r => new Decision(r, reply, why, Disposition.Decide(reply, r.Attempts, item.AcceptedAt, now, policy, why: why), r.Attempts, null));
    }
}

/// <summary>
/// The decisions for one item's recipients at one destination domain, with the recipients the mailbox simulator
/// makes complain after their delivery (simulated results never touch suppression lists or reputation).
/// </summary>
internal sealed record GroupOutcome(DeliveryWorkItem Item, string Domain, IReadOnlyList<Decision> Decisions, bool Simulated = false, IReadOnlySet<int>? Complaints = null)
{
    /// <summary>The round's span when traces are collected: its context goes into the events and the retry rows.</summary>
    public Activity? Span { get; init; }
}
