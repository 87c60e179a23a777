using Orleans.Concurrency;

namespace Sendarix.Contracts.Egress;

/// <summary>
/// One egress IP's state, keyed by its address ("default" for the host's own address when no pool is configured):
/// its status and warm-up, what it sent to each provider today, and which providers (or, for the small ones, which
/// destinations) have throttled or blocked it and until when.
/// </summary>
public interface IIpGrain : IGrainWithStringKey
{
    /// <summary>The key standing for the host's own address when no egress pool is configured.</summary>
    const string HostAddress = "default";

    Task<IpStatus> GetAsync();

    /// <summary>Counts one message to <paramref name="provider"/> against today's warm-up cap; false when the IP may not send it.</summary>
    Task<bool> ReserveAsync(string provider);

    /// <summary>The receiver behind <paramref name="scope"/> throttled or blocked this IP: keep traffic off it for the cool-down.</summary>
    Task DeprioritiseAsync(string scope, string reason);

    /// <summary>Counts the replies to one attempt from this IP to <paramref name="provider"/> (one way: the sender does not wait).</summary>
    [OneWay]
    Task RecordAsync(string provider, IpCounts counts);

    /// <summary>Operator actions: "warmup" (start or restart warm-up at day 1), "pause", "resume".</summary>
    Task<IpStatus> ApplyAsync(string action);
}

[GenerateSerializer, Immutable, Alias("Sendarix.IpStatus")]
public sealed record IpStatus(
    [property: Id(0)] string Address,
    [property: Id(1)] string Status,
    [property: Id(2)] int? WarmupDay,
    [property: Id(3)] int? DailyCap,
    [property: Id(4)] IReadOnlyList<IpProviderStatus> Providers)
{
    /// <summary>Whether the IP may take a message for <paramref name="provider"/> now (deprioritisation aside).</summary>
    public bool CanSend(string provider) => Status switch
    {
        "warm" => true,
        "warming" => DailyCap is not { } cap || (Providers.FirstOrDefault(p => p.Scope == provider)?.SentToday ?? 0) < cap,
        _ => false,
    };

    public DateTimeOffset? DeprioritisedUntil(string scope) => Providers.FirstOrDefault(p => p.Scope == scope)?.DeprioritisedUntil;
}

/// <summary>
/// The IP's standing with one provider (or one small destination): sent today, any deprioritisation, and its
/// reputation there: what its attempts came to over the last 24 hours.
/// </summary>
[GenerateSerializer, Immutable, Alias("Sendarix.IpProviderStatus")]
public sealed record IpProviderStatus(
    [property: Id(0)] string Scope,
    [property: Id(1)] int SentToday,
    [property: Id(2)] DateTimeOffset? DeprioritisedUntil,
    [property: Id(3)] string? Reason,
    [property: Id(4)] IpCounts Last24Hours);

/// <summary>
/// Counts of an IP's replies from one provider, by kind: delivered, deferred, bounced, and throttled or blocked because
/// of the IP (<see cref="BlockRate"/> is their share), and the times the provider took the IP off for a cool-down.
/// </summary>
[GenerateSerializer, Immutable, Alias("Sendarix.IpCounts")]
public sealed record IpCounts(
    [property: Id(0)] int Delivered,
    [property: Id(1)] int Deferred,
    [property: Id(2)] int Bounced,
    [property: Id(3)] int Blocked,
    [property: Id(4)] int Deprioritisations)
{
    public double BlockRate => Delivered + Deferred + Bounced + Blocked is var attempts and > 0 ? Math.Round((double)Blocked / attempts, 4) : 0;
}
