namespace Sendarix.Contracts.Shaping;

/// <summary>
/// The cluster-wide shaping of one (provider, egress IP), keyed "{provider}|{egress}": every silo's delivery workers
/// lease connections and take message tokens here, so a provider's limits hold however many silos send. Kept in
/// memory: leases expire by themselves, so a lost activation forgets nothing that matters for long.
/// </summary>
public interface IThrottleGrain : IGrainWithStringKey
{
    /// <summary>The key of the throttle of <paramref name="provider"/> from <paramref name="egress"/> (an IP grain's key).</summary>
    static string Key(string provider, string egress) => $"{provider}|{egress}";

    /// <summary>Leases (or renews) a connection slot; false when <paramref name="limit"/> connections are open.</summary>
    Task<bool> TryOpenAsync(string leaseId, int limit);

    Task CloseAsync(string leaseId);

    /// <summary>Takes a message token: zero to send now, otherwise how long until one is there.</summary>
    Task<TimeSpan> TakeMessageAsync(int? perMinute);

    /// <summary>Halves the connection limit until <paramref name="until"/> after temporary failures.</summary>
    Task ReduceAsync(DateTimeOffset until);

    Task<ThrottleStatus> GetStatusAsync(int limit);
}

[GenerateSerializer, Immutable, Alias("Sendarix.ThrottleStatus")]
public sealed record ThrottleStatus(
    [property: Id(0)] string Key,
    [property: Id(1)] int OpenConnections,
    [property: Id(2)] int ConnectionLimit,
    [property: Id(3)] DateTimeOffset? ReducedUntil);
