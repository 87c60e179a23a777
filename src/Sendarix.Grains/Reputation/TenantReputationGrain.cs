using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Reputation;

namespace Sendarix.Grains.Reputation;

/// <summary>
/// Counts in memory: a silo restart starts the window again, delaying a pause until enough new sends arrive. The
/// pause itself is stored by the tenant grain and survives anything.
/// </summary>
public sealed partial class TenantReputationGrain(IOptions<ReputationOptions> options, TimeProvider time, ILogger<TenantReputationGrain> logger)
    : Grain, ITenantReputationGrain
{
    readonly ReputationWindow _window = new(options.Value.Window);

    public async Task RecordAsync(int sent, int bounced, int complained)
    {
        var now = time.GetUtcNow();
        _window.Record(now, sent, bounced, complained);
        if (_window.PauseReason(now, options.Value.Thresholds) is { } reason)
        {
            var tenant = await GrainFactory.GetGrain<ITenantGrain>(this.GetPrimaryKeyString()).PauseAsync(reason);
            if (tenant?.PausedReason == reason)
            {
                LogPaused(logger, this.GetPrimaryKeyString(), reason);
            }
        }
    }

    public Task ResetAsync()
    {
        _window.Clear();
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 3201, EventName = "TenantPaused", Level = LogLevel.Warning, Message = "Tenant {TenantId} paused: {Reason}")]
    static partial void LogPaused(ILogger logger, string tenantId, string reason);
}
