using Sendarix.Contracts.Credentials;
using Sendarix.Core.Credentials;

namespace Sendarix.Grains.Credentials;

/// <summary>
/// Kept in memory only: after a silo restart the counting starts again, which costs an attacker at most one more
/// window's worth of guesses and saves a storage write per failed AUTH.
/// </summary>
public sealed class AuthThrottleGrain(TimeProvider time) : Grain, IAuthThrottleGrain
{
    readonly FailureWindow _failures = new();

    public Task<DateTimeOffset?> GetLockoutAsync() =>
        Task.FromResult(_failures.IsLocked(time.GetUtcNow()) ? _failures.LockedUntil : null);

    public Task<DateTimeOffset?> RecordFailureAsync(int limit, TimeSpan window, TimeSpan lockout)
    {
        var until = _failures.RecordFailure(time.GetUtcNow(), limit, window, lockout);
        if (until is { } end)
        {
            // Stay active at least as long as the lockout lasts.
            DelayDeactivation(end - time.GetUtcNow());
        }

        return Task.FromResult(until);
    }
}
