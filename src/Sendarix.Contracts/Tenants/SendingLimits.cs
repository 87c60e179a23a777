namespace Sendarix.Contracts.Tenants;

/// <summary>A tenant's sending limits; null means no limit beyond the relay's own.</summary>
[GenerateSerializer, Immutable, Alias("Sendarix.SendingLimits")]
public sealed record SendingLimits(
    [property: Id(0)] int? MessagesPerMinute,
    [property: Id(1)] int? MessagesPerDay,
    [property: Id(2)] int? RecipientsPerMessage,
    [property: Id(3)] int? MaxMessageSize)
{
    /// <summary>
    /// No limits: a new instance each time. Grain state is read back by a JSON serializer that fills in the objects a
    /// new state already holds, so a shared instance as a state's default would take on one tenant's limits for all.
    /// </summary>
    public static SendingLimits None => new(null, null, null, null);
}
