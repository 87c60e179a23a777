namespace Sendarix.Contracts.Suppression;

/// <summary>A recipient a tenant no longer sends to: why ("hard_bounce", "expired", "complaint", "manual"), since when, and the message that caused it.</summary>
[GenerateSerializer, Immutable, Alias("Sendarix.SuppressedRecipient")]
public sealed record SuppressedRecipient(
    [property: Id(0)] string Address,
    [property: Id(1)] string Reason,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] string? MessageId);
