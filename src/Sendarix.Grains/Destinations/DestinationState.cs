namespace Sendarix.Grains.Destinations;

[GenerateSerializer, Alias("Sendarix.DestinationState")]
public sealed class DestinationState
{
    [Id(0)] public DateTimeOffset? BackoffUntil { get; set; }

    [Id(1)] public int ConsecutiveFailures { get; set; }

    [Id(2)] public string? LastError { get; set; }

    /// <summary>When the release reminder is next due; null when nothing waits.</summary>
    [Id(3)] public DateTimeOffset? NextRelease { get; set; }

    /// <summary>Held by the operator.</summary>
    [Id(4)] public bool Paused { get; set; }

    /// <summary>Whether the destination directory lists this destination now.</summary>
    [Id(5)] public bool Listed { get; set; }
}
