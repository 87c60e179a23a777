namespace Sendarix.Contracts.Destinations;

[GenerateSerializer, Immutable, Alias("Sendarix.DestinationStatus")]
public sealed record DestinationStatus(
    [property: Id(0)] string Destination,
    [property: Id(1)] DateTimeOffset? BackoffUntil,
    [property: Id(2)] int ConsecutiveFailures,
    [property: Id(3)] string? LastError,
    [property: Id(4)] DateTimeOffset? NextRelease,
    [property: Id(5)] bool Paused = false);
