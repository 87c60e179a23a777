using Sendarix.Core.Events;

namespace Sendarix.Core.Retention;

/// <summary>What the retention sweep may delete: messages older than the tenant's retention whose every recipient is settled.</summary>
public static class RetentionRules
{
    public const int MinDays = 1;

    public const int MaxDays = 3650;

    /// <summary>Messages accepted before this are past retention.</summary>
    public static DateTimeOffset Cutoff(DateTimeOffset now, int retentionDays) => now - TimeSpan.FromDays(retentionDays);

    /// <summary>
    /// Whether a recipient's last event ends its delivery: delivered, bounced, expired, failed, suppressed or
    /// complained. Accepted (still queued) and deferred (waiting for a retry) do not.
    /// </summary>
    public static bool IsSettled(EventType last) => last is EventType.Delivered or EventType.Bounced or EventType.Expired or EventType.Failed
        or EventType.Suppressed or EventType.Complained;

    /// <summary>
    /// Whether a message may be deleted: each of its <paramref name="recipientCount"/> recipients has a settled last
    /// event. A recipient with no event yet, or one still waiting, keeps the whole message.
    /// </summary>
    public static bool IsSettled(int recipientCount, IEnumerable<RelayEvent> events)
    {
        var last = new EventType?[recipientCount];
        foreach (var e in events.Where(e => e.RecipientIndex >= 0 && e.RecipientIndex < recipientCount).OrderBy(e => e.Sequence))
        {
            last[e.RecipientIndex] = e.Type;
        }

        return recipientCount > 0 && last.All(t => t is { } type && IsSettled(type));
    }
}
