using Sendarix.Contracts.Api;

namespace Sendarix.Grains.Api;

/// <summary>Keeps a dashboard session until it ends or expires; a reminder at expiry deletes it either way.</summary>
public sealed class DashboardSessionGrain(
    [PersistentState("session", GrainStorage.Default)] IPersistentState<DashboardSessionState> state,
    TimeProvider time) : Grain, IDashboardSessionGrain, IRemindable
{
    const string ExpireReminder = "expire";

    public async Task StartAsync(DashboardSession session)
    {
        state.State.Session = session;
        await state.WriteStateAsync();
        var due = session.ExpiresAt - time.GetUtcNow();
        await this.RegisterOrUpdateReminder(ExpireReminder, due > TimeSpan.FromMinutes(1) ? due : TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));
    }

    public Task<DashboardSession?> GetAsync() =>
        Task.FromResult(state.State.Session is { } session && session.ExpiresAt > time.GetUtcNow() ? session : null);

    public async Task EndAsync()
    {
        await state.ClearStateAsync();
        if (await this.GetReminder(ExpireReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        DeactivateOnIdle();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.Session is not { } session || session.ExpiresAt <= time.GetUtcNow())
        {
            await EndAsync();
        }
    }
}

[GenerateSerializer, Alias("Sendarix.DashboardSessionState")]
public sealed class DashboardSessionState
{
    [Id(0)] public DashboardSession? Session { get; set; }
}
