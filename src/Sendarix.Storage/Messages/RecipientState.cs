using Sendarix.Core.Events;

namespace Sendarix.Storage.Messages;

/// <summary>Where a recipient stands: "queued", "deferred", "delivered", "bounced", "expired", "failed" or "suppressed".</summary>
public sealed record RecipientState(
    string Address,
    string Status,
    int Attempts,
    string? LastReply,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? NextAttempt,
    string? Category = null)
{
    public const string Queued = "queued";

    public static string StatusOf(EventType type) => type switch
    {
        EventType.Accepted => Queued,
        _ => type.ToString().ToLowerInvariant(),
    };
}
