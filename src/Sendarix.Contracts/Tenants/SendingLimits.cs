namespace Sendarix.Contracts.Tenants;

/// <summary>A tenant's sending limits; null means no limit beyond the relay's own.</summary>
[GenerateSerializer, Immutable, Alias("Sendarix.SendingLimits")]
public sealed record SendingLimits(
    [property: Id(0)] int? MessagesPerMinute,
    [property: Id(1)] int? MessagesPerDay,
    [property: Id(2)] int? RecipientsPerMessage,
    [property: Id(3)] int? MaxMessageSize)
{
    public static SendingLimits None { get; } = new(null, null, null, null);
}
