using Sendarix.Core.Events;

namespace Sendarix.Core.Stats;

/// <summary>
/// What happened to messages in one hour, for one group: each message event counted by type (deferrals each time;
/// a message refused as spam, which has no message events, by its spam_rejected event),
/// bounces by category, and the time from acceptance to each delivery. Counts of nodes and hours add up.
/// </summary>
public sealed class StatsCounts
{
    public long Accepted { get; set; }

    public long Delivered { get; set; }

    public long Deferred { get; set; }

    public long Bounced { get; set; }

    public long Expired { get; set; }

    public long Failed { get; set; }

    public long Suppressed { get; set; }

    public long Complained { get; set; }

    /// <summary>Recipients held back as spam.</summary>
    public long Held { get; set; }

    /// <summary>Messages refused as spam at the end of data (each counted once, with its first recipient).</summary>
    public long SpamRejected { get; set; }

    public Dictionary<string, long> BouncesByCategory { get; } = new(StringComparer.Ordinal);

    /// <summary>Deferrals by the category of the reply that deferred them (greylisted, transient, bad_connection...): the reasons mail waits.</summary>
    public Dictionary<string, long> DeferralsByCategory { get; } = new(StringComparer.Ordinal);

    public LatencyHistogram DeliveryTime { get; } = new();

    /// <summary>Counts one message event; a delivery's time is measured from the message's acceptance.</summary>
    public void Count(RelayEvent e, DateTimeOffset? acceptedAt)
    {
        switch (e.Type)
        {
            case EventType.Accepted: Accepted++; break;
            case EventType.Delivered:
                Delivered++;
                if (acceptedAt is { } accepted && e.Time >= accepted)
                {
                    DeliveryTime.Add(e.Time - accepted);
                }

                break;
            case EventType.Deferred:
                Deferred++;
                var reason = e.BounceCategory ?? "uncategorized";
                DeferralsByCategory[reason] = DeferralsByCategory.GetValueOrDefault(reason) + 1;
                break;
            case EventType.Bounced:
                Bounced++;
                var category = e.BounceCategory ?? "uncategorized";
                BouncesByCategory[category] = BouncesByCategory.GetValueOrDefault(category) + 1;
                break;
            case EventType.Expired: Expired++; break;
            case EventType.Failed: Failed++; break;
            case EventType.Suppressed: Suppressed++; break;
            case EventType.Complained: Complained++; break;
            case EventType.Held: Held++; break;
            case EventType.SpamRejected: SpamRejected++; break;
        }
    }

    public void Add(StatsCounts other)
    {
        Accepted += other.Accepted;
        Delivered += other.Delivered;
        Deferred += other.Deferred;
        Bounced += other.Bounced;
        Expired += other.Expired;
        Failed += other.Failed;
        Suppressed += other.Suppressed;
        Complained += other.Complained;
        Held += other.Held;
        SpamRejected += other.SpamRejected;
        foreach (var (category, count) in other.BouncesByCategory)
        {
            BouncesByCategory[category] = BouncesByCategory.GetValueOrDefault(category) + count;
        }

        foreach (var (category, count) in other.DeferralsByCategory)
        {
            DeferralsByCategory[category] = DeferralsByCategory.GetValueOrDefault(category) + count;
        }

        DeliveryTime.Add(other.DeliveryTime);
    }

    /// <summary>Messages whose recipients reached an end: delivered, bounced, expired or failed.</summary>
    public long Finished => Delivered + Bounced + Expired + Failed;

    /// <summary>Delivered over finished (null before any finished).</summary>
    public double? DeliveryRate => Finished == 0 ? null : (double)Delivered / Finished;

    /// <summary>Bounced over finished.</summary>
    public double? BounceRate => Finished == 0 ? null : (double)Bounced / Finished;

    /// <summary>Complaints over deliveries.</summary>
    public double? ComplaintRate => Delivered == 0 ? null : (double)Complained / Delivered;
}
