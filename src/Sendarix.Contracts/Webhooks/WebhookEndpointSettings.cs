using Sendarix.Core.Events;

namespace Sendarix.Contracts.Webhooks;

/// <summary>A new endpoint: its URL (checked by the grain, DNS included) and what it receives (no types: all).</summary>
[GenerateSerializer, Immutable, Alias("Sendarix.WebhookEndpointSettings")]
public sealed record WebhookEndpointSettings(
    [property: Id(0)] string Url,
    [property: Id(1)] IReadOnlyList<EventType> EventTypes,
    [property: Id(2)] bool FirstDeferralOnly,
    [property: Id(3)] bool Batch,
    [property: Id(4)] string? Description);
