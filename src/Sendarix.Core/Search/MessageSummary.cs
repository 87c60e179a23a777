using Sendarix.Core.Events;

namespace Sendarix.Core.Search;

/// <summary>
/// A message as search finds it, made from its events alone: what every event carries about the message, and each
/// recipient's standing (its last event). It is what a search page shows; the message's whole history is one more call.
/// </summary>
public sealed record MessageSummary(
    string MessageId,
    string TenantId,
    string? Subtenant,
    DateTimeOffset AcceptedAt,
    string From,
    string? MessageIdHeader,
    string? Subject,
    IReadOnlyList<string> Tags,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<RecipientStanding> Recipients);

/// <summary>Where one recipient stands: its last event (<see cref="EventType.Accepted"/> while it waits for a first attempt).</summary>
public sealed record RecipientStanding(
    int Index,
    string Address,
    EventType Status,
    int Sequence,
    DateTimeOffset UpdatedAt,
    int Attempts,
    string? Reply,
    string? BounceCategory,
    DateTimeOffset? NextAttempt)
{
    /// <summary>The standing an event gives its recipient.</summary>
    public static RecipientStanding Of(RelayEvent e) =>
        new(e.RecipientIndex, e.Recipient ?? "", e.Type, e.Sequence, e.Time, e.Attempt, e.Type == EventType.Accepted ? null : e.Reply, e.BounceCategory, e.NextAttempt);
}
