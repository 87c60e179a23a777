namespace Sendarix.Grains.Webhooks;

[GenerateSerializer, Alias("Sendarix.WebhookEndpointsState")]
public sealed class WebhookEndpointsState : IEventOutboxState
{
    [Id(0)] public List<StoredWebhookEndpoint> Endpoints { get; set; } = [];

    [Id(1)] public List<PendingTenantEvent> PendingEvents { get; set; } = [];
}

/// <summary>
/// An endpoint as stored: event types by member name (as the ledger stores them, so new members can be added
/// anywhere), the HMAC keys encrypted under the key-encryption key, and since when every delivery has failed (null:
/// the last one went through).
/// </summary>
[GenerateSerializer, Immutable, Alias("Sendarix.StoredWebhookEndpoint")]
public sealed record StoredWebhookEndpoint(
    [property: Id(0)] string Id,
    [property: Id(1)] string Url,
    [property: Id(2)] IReadOnlyList<string> EventTypes,
    [property: Id(3)] bool Enabled,
    [property: Id(4)] bool FirstDeferralOnly,
    [property: Id(5)] bool Batch,
    [property: Id(6)] string? Description,
    [property: Id(7)] DateTimeOffset CreatedAt,
    [property: Id(8)] DateTimeOffset UpdatedAt,
    [property: Id(9)] DateTimeOffset? DisabledAt,
    [property: Id(10)] string? DisabledReason,
    [property: Id(11)] byte[] ProtectedKey,
    [property: Id(12)] IReadOnlyList<RetiringKey> RetiringKeys,
    [property: Id(13)] DateTimeOffset? FailingSince = null);

/// <summary>A rotated key, still signed with until <see cref="ValidUntil"/>.</summary>
[GenerateSerializer, Immutable, Alias("Sendarix.RetiringWebhookKey")]
public sealed record RetiringKey(
    [property: Id(0)] byte[] ProtectedKey,
    [property: Id(1)] DateTimeOffset ValidUntil);
