using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Contracts.Egress;
using Sendarix.Core.Egress;

namespace Sendarix.Grains.Egress;

/// <summary>
/// An egress IP's status, warm-up, standing per provider (or small destination) and reputation per provider. Writes
/// happen when the standing changes and, during warm-up, per message counted against the cap (warm-up volumes are
/// small); the outcome counts of every attempt are saved write-behind.
/// </summary>
public sealed partial class IpGrain(
    [PersistentState("ip", GrainStorage.Default)] IPersistentState<IpState> state,
    IOptions<EgressOptions> options,
    TimeProvider time,
    ILogger<IpGrain> logger) : Grain, IIpGrain
{
    readonly Dictionary<string, IpReputation> _reputation = [];
    WriteBehind _save = null!;

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

        foreach (var (provider, hours) in state.State.Reputation)
        {
            // Rows written before the counts were grouped have none: they start again.
            Reputation(provider).Restore(hours.Where(h => h.Counts is not null).Select(h => (h.Start, ToOutcomes(h.Counts))));
        }

        _save = new WriteBehind(this, WriteAsync);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _save.FlushAsync(cancellationToken);

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
            await WriteAsync(CancellationToken.None);
        }

        return true;
    }

    public async Task DeprioritiseAsync(string scope, string reason)
    {
        var now = time.GetUtcNow();
        var standing = Standing(scope);
        if (standing.DeprioritisedUntil > now)
        {
            // Replies from attempts already under way when it began: the deprioritisation stands as it is.
            return;
        }

        standing.Deprioritisations.RemoveAll(d => d <= now - IpReputation.Window);
        var until = now + IpReputation.CoolDownAfter(standing.Deprioritisations.Count, options.Value.CoolDown, options.Value.MaxCoolDown);
        standing.Deprioritisations.Add(now);
        standing.DeprioritisedUntil = until;
        standing.Reason = reason;
        Reputation(ProviderOf(scope)).Record(now, new IpOutcomes(0, 0, 0, 0, 1));
        await WriteAsync(CancellationToken.None);
        LogDeprioritised(logger, Address, scope, until, reason);
    }

    public Task RecordAsync(string provider, IpCounts counts)
    {
        Reputation(provider).Record(time.GetUtcNow(), ToOutcomes(counts) with { Deprioritisations = 0 });
        _save.Changed();
        return Task.CompletedTask;
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

        await WriteAsync(CancellationToken.None);
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
        var scopes = state.State.Providers.Keys.Union(_reputation.Keys).Order(StringComparer.Ordinal);
        return new IpStatus(Address, status, status == IpStatuses.Warming ? day : null, cap, scopes.Select(scope =>
        {
            var standing = state.State.Providers.GetValueOrDefault(scope);
            var active = standing?.DeprioritisedUntil > now;
            var counts = _reputation.TryGetValue(scope, out var reputation) ? reputation.Totals(now) : default;
            return new IpProviderStatus(scope, standing?.Day == today ? standing.SentToday : 0,
                active ? standing!.DeprioritisedUntil : null, active ? standing!.Reason : null, ToCounts(counts));
        }).ToList());
    }

    static IpOutcomes ToOutcomes(IpCounts c) => new(c.Delivered, c.Deferred, c.Bounced, c.Blocked, c.Deprioritisations);

    static IpCounts ToCounts(IpOutcomes o) => new(o.Delivered, o.Deferred, o.Bounced, o.Blocked, o.Deprioritisations);

    /// <summary>The provider a standing's scope belongs to: "gmail", or "default" for "default:example.com".</summary>
    static string ProviderOf(string scope) => scope.Split(':')[0];

    IpStanding Standing(string scope)
    {
        if (!state.State.Providers.TryGetValue(scope, out var standing))
        {
            state.State.Providers[scope] = standing = new IpStanding();
        }

        return standing;
    }

    IpReputation Reputation(string provider)
    {
        if (!_reputation.TryGetValue(provider, out var reputation))
        {
            _reputation[provider] = reputation = new IpReputation();
        }

        return reputation;
    }

    /// <summary>
    /// Writes the state with the reputation counts as they are now, dropping standings with nothing left in them (small
    /// destinations come and go; their entries must not pile up).
    /// </summary>
    async Task WriteAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var today = Today();
        foreach (var (scope, standing) in state.State.Providers.ToList())
        {
            standing.Deprioritisations.RemoveAll(d => d <= now - IpReputation.Window);
            if (!(standing.DeprioritisedUntil > now) && standing.Deprioritisations.Count == 0 && standing.Day != today)
            {
                state.State.Providers.Remove(scope);
            }
        }

        state.State.Reputation = _reputation.ToDictionary(r => r.Key, r => r.Value.Hours(now).Select(h => new IpHour(h.Start, ToCounts(h.Value))).ToList());
        await state.WriteStateAsync(cancellationToken);
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

    /// <summary>Hourly outcome counts over the last 24 hours, per provider.</summary>
    [Id(4)] public Dictionary<string, List<IpHour>> Reputation { get; set; } = [];
}

[GenerateSerializer, Alias("Sendarix.IpStanding")]
public sealed class IpStanding
{
    [Id(0)] public int Day { get; set; }
    [Id(1)] public int SentToday { get; set; }
    [Id(2)] public DateTimeOffset? DeprioritisedUntil { get; set; }
    [Id(3)] public string? Reason { get; set; }

    /// <summary>When this receiver deprioritised the IP in the last 24 hours (each one lengthens the next).</summary>
    [Id(4)] public List<DateTimeOffset> Deprioritisations { get; set; } = [];
}

[GenerateSerializer, Immutable, Alias("Sendarix.IpHour")]
public sealed record IpHour([property: Id(0)] DateTimeOffset Start, [property: Id(1)] IpCounts Counts);
