using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Contracts.Egress;
using Sendarix.Core.Egress;

namespace Sendarix.Grains.Egress;

/// <summary>
/// An egress IP's status, warm-up and standing per provider. Writes happen when the standing changes and, during
/// warm-up, per message counted against the cap (warm-up volumes are small); a warm IP's sends are not written.
/// </summary>
public sealed partial class IpGrain(
    [PersistentState("ip", GrainStorage.Default)] IPersistentState<IpState> state,
    IOptions<EgressOptions> options,
    TimeProvider time,
    ILogger<IpGrain> logger) : Grain, IIpGrain
{
    string Address => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A new IP starts in the status its configuration gives; after that the grain's own state rules.
        if (state.State.Status is null)
        {
            state.State.Status = options.Value.Find(Address)?.Ip.Status ?? IpStatuses.Warm;
            if (state.State.Status == IpStatuses.Warming)
            {
                state.State.WarmupStarted = time.GetUtcNow();
            }
        }

        return Task.CompletedTask;
    }

    public Task<IpStatus> GetAsync() => Task.FromResult(Status());

    public async Task<bool> ReserveAsync(string provider)
    {
        var status = Status();
        if (!status.CanSend(provider))
        {
            return false;
        }

        if (state.State.Status == IpStatuses.Warming)
        {
            var standing = Standing(provider);
            var today = Today();
            standing.SentToday = standing.Day == today ? standing.SentToday + 1 : 1;
            standing.Day = today;
            await state.WriteStateAsync();
        }

        return true;
    }

    public async Task DeprioritiseAsync(string scope, string reason)
    {
        var until = time.GetUtcNow() + options.Value.CoolDown;
        var standing = Standing(scope);
        standing.DeprioritisedUntil = until;
        standing.Reason = reason;
        await state.WriteStateAsync();
        LogDeprioritised(logger, Address, scope, until, reason);
    }

    public async Task<IpStatus> ApplyAsync(string action)
    {
        switch (action)
        {
            case "warmup":
                state.State.Status = IpStatuses.Warming;
                state.State.WarmupStarted = time.GetUtcNow();
                break;
            case "pause":
                state.State.PausedFrom = state.State.Status == IpStatuses.Paused ? state.State.PausedFrom : state.State.Status;
                state.State.Status = IpStatuses.Paused;
                break;
            case "resume" when state.State.Status == IpStatuses.Paused:
                state.State.Status = state.State.PausedFrom ?? IpStatuses.Warm;
                break;
            case "resume":
                break;
            default:
                throw new ArgumentException($"Unknown action '{action}'; use warmup, pause or resume.", nameof(action));
        }

        await state.WriteStateAsync();
        return Status();
    }

    IpStatus Status()
    {
        var now = time.GetUtcNow();
        var today = Today();
        int? day = null, cap = null;
        if (state.State.Status == IpStatuses.Warming && state.State.WarmupStarted is { } started)
        {
            day = WarmupSchedule.DayOf(DateOnly.FromDateTime(started.UtcDateTime), DateOnly.FromDateTime(now.UtcDateTime));
            cap = options.Value.Schedule.CapOn(day.Value);
        }

        // Past the last day of its schedule a warming IP is warm.
        var status = state.State.Status == IpStatuses.Warming && cap is null ? IpStatuses.Warm : state.State.Status!;
        return new IpStatus(Address, status, status == IpStatuses.Warming ? day : null, cap,
            state.State.Providers.Select(p => new IpProviderStatus(p.Key, p.Value.Day == today ? p.Value.SentToday : 0,
                p.Value.DeprioritisedUntil > now ? p.Value.DeprioritisedUntil : null, p.Value.DeprioritisedUntil > now ? p.Value.Reason : null)).ToList());
    }

    IpStanding Standing(string scope)
    {
        if (!state.State.Providers.TryGetValue(scope, out var standing))
        {
            state.State.Providers[scope] = standing = new IpStanding();
        }

        return standing;
    }

    int Today() => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).DayNumber;

    [LoggerMessage(EventId = 3101, EventName = "IpDeprioritised", Level = LogLevel.Warning,
        Message = "Egress IP {Address} deprioritised for {Scope} until {Until}: {Reason}")]
    static partial void LogDeprioritised(ILogger logger, string address, string scope, DateTimeOffset until, string reason);
}

[GenerateSerializer, Alias("Sendarix.IpState")]
public sealed class IpState
{
    [Id(0)] public string? Status { get; set; }
    [Id(1)] public DateTimeOffset? WarmupStarted { get; set; }
    [Id(2)] public Dictionary<string, IpStanding> Providers { get; set; } = [];
    [Id(3)] public string? PausedFrom { get; set; }
}

[GenerateSerializer, Alias("Sendarix.IpStanding")]
public sealed class IpStanding
{
    [Id(0)] public int Day { get; set; }
    [Id(1)] public int SentToday { get; set; }
    [Id(2)] public DateTimeOffset? DeprioritisedUntil { get; set; }
    [Id(3)] public string? Reason { get; set; }
}
