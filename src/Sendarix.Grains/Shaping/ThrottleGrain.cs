using Microsoft.Extensions.Options;
using Sendarix.Contracts.Shaping;
using Sendarix.Core.Limits;
using Sendarix.Core.Providers;

namespace Sendarix.Grains.Shaping;

public sealed class ThrottleGrain(IOptions<ShapingOptions> options, TimeProvider time) : Grain, IThrottleGrain
{
    readonly SendThrottle _throttle = new();

    public Task<bool> TryOpenAsync(string leaseId, int limit) =>
        Task.FromResult(_throttle.TryOpen(leaseId, time.GetUtcNow(), limit, options.Value.ConnectionLease));

    public Task CloseAsync(string leaseId)
    {
        _throttle.Close(leaseId);
        return Task.CompletedTask;
    }

    public Task<TimeSpan> TakeMessageAsync(int? perMinute) => Task.FromResult(_throttle.TakeMessage(time.GetUtcNow(), perMinute));

    public Task ReduceAsync(DateTimeOffset until)
    {
        _throttle.Reduce(until);
        return Task.CompletedTask;
    }

    public Task<ThrottleStatus> GetStatusAsync(int limit)
    {
        var now = time.GetUtcNow();
        return Task.FromResult(new ThrottleStatus(this.GetPrimaryKeyString(), _throttle.OpenConnections(now), _throttle.EffectiveLimit(now, limit),
            _throttle.ReducedUntil > now ? _throttle.ReducedUntil : null));
    }
}
