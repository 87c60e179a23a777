using Microsoft.Extensions.Options;
using Sendarix.Contracts.Retention;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Retention;
using Sendarix.Storage.Retention;

namespace Sendarix.Grains.Retention;

/// <summary>
/// Runs one tenant's retention sweep on a reminder, so it runs whichever silo holds it and survives restarts; the
/// tenant's own grain, which answers the front-ends, is never held up by a sweep. Sweeps of one tenant never overlap
/// (one activation, calls one at a time).
/// </summary>
public sealed class RetentionGrain(
    [PersistentState("retention", GrainStorage.Default)] IPersistentState<RetentionState> state,
    RetentionSweeper sweeper,
    IOptions<RetentionOptions> options,
    TimeProvider time) : Grain, IRetentionGrain, IRemindable
{
    const string SweepReminder = "sweep";

    string TenantId => this.GetPrimaryKeyString();

    public async Task StartAsync() =>
        await this.RegisterOrUpdateReminder(SweepReminder, options.Value.SweepInterval, options.Value.SweepInterval);

    public async Task<RetentionReport> SweepAsync()
    {
        var tenant = await GrainFactory.GetGrain<ITenantGrain>(TenantId).GetAsync();
        var now = time.GetUtcNow();
        var cutoff = RetentionRules.Cutoff(now, tenant?.RetentionDays ?? options.Value.DefaultDays);
        var result = await sweeper.SweepAsync(TenantId, cutoff, state.State.BodiesFrom, CancellationToken.None);
        state.State.BodiesFrom = result.BodiesFrom;
        state.State.Last = new RetentionReport(now, cutoff, result.MessagesDeleted, result.MessagesKept, result.BodiesDeleted, result.TenantEventsDeleted);
        await state.WriteStateAsync();
        return state.State.Last;
    }

    public Task<RetentionReport?> LastAsync() => Task.FromResult(state.State.Last);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == SweepReminder)
        {
            await SweepAsync();
        }
    }
}
