using Sendarix.Core.Events;

namespace Sendarix.Contracts.Webhooks;

/// <summary>
/// A tenant's webhook endpoint: where its events are posted and which ones. Never carries the signing secret.
/// <see cref="DisabledAt"/> and <see cref="DisabledReason"/> are set when the relay disabled it (410 Gone, or failing
/// for too long); a tenant that turns it off itself leaves them empty.
/// </summary>
[GenerateSerializer, Immutable, Alias("Sendarix.WebhookEndpoint")]
public sealed record WebhookEndpoint(
    [property: Id(0)] string Id,
    [property: Id(1)] string Url,
    [property: Id(2)] IReadOnlyList<EventType> EventTypes,
    [property: Id(3)] bool Enabled,
    [property: Id(4)] bool FirstDeferralOnly,
    [property: Id(5)] bool Batch,
    [property: Id(6)] string? Description,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] DateTimeOffset UpdatedAt,
    [property: Id(9)] DateTimeOffset? DisabledAt,
    [property: Id(10)] string? DisabledReason)
{
    /// <summary>Whether the endpoint takes events of this type: an empty list takes every type.</summary>
    public bool Receives(EventType type) => EventTypes.Count == 0 || EventTypes.Contains(type);

    /// <summary>
    /// Whether the endpoint takes this event: one of its types, and of deferrals only a recipient's first when it
    /// said so (each event counts its recipient's deferrals, so the rule needs no state).
    /// </summary>
    public bool Takes(RelayEvent e) => Receives(e.Type) && !(FirstDeferralOnly && e.Type == EventType.Deferred && e.Deferrals > 1);
}
