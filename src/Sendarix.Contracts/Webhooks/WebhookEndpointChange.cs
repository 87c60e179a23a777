using Sendarix.Core.Events;

namespace Sendarix.Contracts.Webhooks;

/// <summary>
/// Changes to an endpoint; what is null stays as it is. An empty description removes it. Enabling an endpoint the
/// relay disabled clears why it was disabled.
/// </summary>
[GenerateSerializer, Immutable, Alias("Sendarix.WebhookEndpointChange")]
public sealed record WebhookEndpointChange(
    [property: Id(0)] string? Url,
    [property: Id(1)] IReadOnlyList<EventType>? EventTypes,
    [property: Id(2)] bool? Enabled,
    [property: Id(3)] bool? FirstDeferralOnly,
    [property: Id(4)] bool? Batch,
    [property: Id(5)] string? Description);
