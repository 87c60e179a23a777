using Orleans.Concurrency;

namespace Sendarix.Contracts.Credentials;

/// <summary>
/// Failed AUTH attempts from one source, keyed "ip:{address}" or "user:{username}", counted across every front-end.
/// Past the limit within the window, AUTH from that source is refused for the lockout time.
/// </summary>
public interface IAuthThrottleGrain : IGrainWithStringKey
{
    /// <summary>Until when AUTH is refused, or null.</summary>
    [AlwaysInterleave]
    Task<DateTimeOffset?> GetLockoutAsync();

    /// <summary>Counts a failure; returns the lockout's end when this one reached the limit.</summary>
    Task<DateTimeOffset?> RecordFailureAsync(int limit, TimeSpan window, TimeSpan lockout);
}
