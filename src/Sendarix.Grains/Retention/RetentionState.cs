using Sendarix.Contracts.Retention;

namespace Sendarix.Grains.Retention;

[GenerateSerializer, Alias("Sendarix.RetentionState")]
public sealed class RetentionState
{
    /// <summary>Where the next sweep's body deletion starts (null: at the tenant's first body).</summary>
    [Id(0)] public DateTimeOffset? BodiesFrom { get; set; }

    [Id(1)] public RetentionReport? Last { get; set; }
}
