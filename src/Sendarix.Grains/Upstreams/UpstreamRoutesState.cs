using Sendarix.Contracts.Upstreams;

namespace Sendarix.Grains.Upstreams;

[GenerateSerializer, Alias("Sendarix.UpstreamRoutesState")]
public sealed class UpstreamRoutesState
{
    [Id(0)] public List<StoredUpstreamRoute> Routes { get; set; } = [];
}

/// <summary>A route as stored: its settings without the secret, and the secret encrypted under the key-encryption key.</summary>
[GenerateSerializer, Immutable, Alias("Sendarix.StoredUpstreamRoute")]
public sealed record StoredUpstreamRoute(
    [property: Id(0)] string Name,
    [property: Id(1)] UpstreamRouteSettings Settings,
    [property: Id(2)] byte[]? ProtectedSecret,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset UpdatedAt);
