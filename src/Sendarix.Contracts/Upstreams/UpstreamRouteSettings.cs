using Sendarix.Core.Routing;
using Sendarix.Core.Upstreams;

namespace Sendarix.Contracts.Upstreams;

/// <summary>
/// A tenant's route through an upstream smarthost, as stored, with a preset's values already filled in. Its mail (only
/// that from <see cref="SenderDomains"/> when listed) goes to <see cref="Hosts"/> in order, logged in as
/// <see cref="Username"/>; with <see cref="FallbackToDirect"/>, to the recipients' own MX hosts while the upstream
/// cannot take it. <see cref="Secret"/> is the password, API key or OAuth client secret: null in a change keeps the
/// current one.
/// </summary>
[GenerateSerializer, Immutable, Alias("Sendarix.UpstreamRouteSettings")]
public sealed record UpstreamRouteSettings(
    [property: Id(0)] string? Preset,
    [property: Id(1)] string? Region,
    [property: Id(2)] IReadOnlyList<string> Hosts,
    [property: Id(3)] TlsPolicy Tls,
    [property: Id(4)] UpstreamAuthMechanism Mechanism,
    [property: Id(5)] string? Username,
    [property: Id(6)] string? Secret,
    [property: Id(7)] string? TokenUrl,
    [property: Id(8)] string? ClientId,
    [property: Id(9)] string? Scope,
    [property: Id(10)] IReadOnlyList<string> SenderDomains,
    [property: Id(11)] bool FallbackToDirect,
    [property: Id(12)] int Connections,
    [property: Id(13)] int MessagesPerConnection,
    [property: Id(14)] int? MessagesPerMinute,
    [property: Id(15)] string? Description);

/// <summary>A route as the API shows it: never its secret, only whether it has one.</summary>
[GenerateSerializer, Immutable, Alias("Sendarix.UpstreamRoute")]
public sealed record UpstreamRoute(
    [property: Id(0)] string Name,
    [property: Id(1)] UpstreamRouteSettings Settings,
    [property: Id(2)] bool HasSecret,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] DateTimeOffset UpdatedAt);

/// <summary>
/// A route as delivery needs it, secret included (decrypted for the call; never logged or returned by the API).
/// <see cref="Version"/> changes with every change, so connections logged in with old credentials are not reused.
/// </summary>
[GenerateSerializer, Immutable, Alias("Sendarix.UpstreamDeliveryRoute")]
public sealed record UpstreamDeliveryRoute(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string Name,
    [property: Id(2)] UpstreamRouteSettings Settings,
    [property: Id(3)] long Version)
{
    /// <summary>The destination grain that holds the upstream's back-off: per tenant and route, never a recipient domain's.</summary>
    public string DestinationKey => $"upstream:{TenantId}:{Name}";
}

/// <summary>What a change did: the route, or why nothing changed.</summary>
[GenerateSerializer, Immutable, Alias("Sendarix.UpstreamRouteResult")]
public sealed record UpstreamRouteResult(
    [property: Id(0)] UpstreamRoute? Route,
    [property: Id(1)] bool Created,
    [property: Id(2)] string? Problem);
