namespace Sendarix.Contracts.Shaping;

/// <summary>
/// One mailbox provider's sending profile, keyed by the provider's name: the shipped profile, changed by
/// configuration, changed by the operator through the API (kept here).
/// </summary>
public interface IProviderGrain : IGrainWithStringKey
{
    /// <summary>The profile in force and the operator's changes.</summary>
    Task<ProviderProfileInfo> GetAsync();

    /// <summary>Replaces the operator's changes (null fields: the configured or shipped value) and returns the new profile.</summary>
    Task<ProviderProfileInfo> SetAsync(ProviderSettings settings);
}

/// <summary>The operator's changes to a profile; a null field leaves the configured or shipped value.</summary>
[GenerateSerializer, Immutable, Alias("Sendarix.ProviderSettings")]
public sealed record ProviderSettings(
    [property: Id(0)] int? ConnectionsPerIp,
    [property: Id(1)] int? MessagesPerConnection,
    [property: Id(2)] int? MessagesPerMinutePerIp,
    [property: Id(3)] bool? RequireTls);

/// <summary>A provider's profile in force (connections per egress IP, messages per connection and per minute, TLS).</summary>
[GenerateSerializer, Immutable, Alias("Sendarix.ProviderProfileInfo")]
public sealed record ProviderProfileInfo(
    [property: Id(0)] string Provider,
    [property: Id(1)] int ConnectionsPerIp,
    [property: Id(2)] int MessagesPerConnection,
    [property: Id(3)] int? MessagesPerMinutePerIp,
    [property: Id(4)] bool RequireTls,
    [property: Id(5)] ProviderSettings? OperatorSettings);
