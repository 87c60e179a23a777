using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Sendarix.Api.Security;
using Sendarix.Api.Tenants;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Stats;
using Sendarix.Storage.Stats;

namespace Sendarix.Api.Stats;

/// <summary>
/// Statistics: per hour or day, counts of every outcome, rates and the time from acceptance to delivery, for a
/// tenant (by tag, recipient domain, provider or egress IP) or, for operators, for every tenant together (by
/// provider or egress IP). A tenant also sees its reputation window: the rates and thresholds that would pause it.
/// </summary>
public static class StatsApi
{
    public static RouteGroupBuilder MapStatsApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/tenants/{tenantId}/stats", TenantAsync).WithTags("Statistics").WithName("GetTenantStats")
            .WithSummary("A tenant's counts per hour or day (from, to, interval=hour|day, groupBy=tag|domain|provider|ip), with its reputation window.");
        v1.MapGet("/stats", AllAsync).WithTags("Statistics").WithName("GetStats").RequireOperator()
            .WithSummary("Counts over every tenant per hour or day (groupBy=provider|ip).");
        return v1;
    }

    internal static async Task<Results<Ok<StatsResponse>, ProblemHttpResult, ValidationProblem>> TenantAsync(string tenantId, [AsParameters] StatsParameters parameters,
        StatsReader reader, IGrainFactory grains, TimeProvider time, CancellationToken cancellationToken)
    {
        if (parameters.Problems(time.GetUtcNow(), tenant: true) is { Count: > 0 } problems)
        {
            return TypedResults.ValidationProblem(problems);
        }

        if (await TenantsApi.FindAsync(grains, tenantId) is null)
        {
            return TypedResultsProblem.NotFound($"Tenant '{tenantId}'");
        }

        var reputation = await grains.GetGrain<ITenantReputationGrain>(tenantId).GetAsync();
        return TypedResults.Ok(await ReadAsync(tenantId, parameters, reader, time, cancellationToken) with { Reputation = ReputationResponse.Of(reputation) });
    }

    internal static async Task<Results<Ok<StatsResponse>, ValidationProblem>> AllAsync([AsParameters] StatsParameters parameters, StatsReader reader, TimeProvider time,
        CancellationToken cancellationToken) =>
        parameters.Problems(time.GetUtcNow(), tenant: false) is { Count: > 0 } problems
            ? TypedResults.ValidationProblem(problems)
            : TypedResults.Ok(await ReadAsync(StatsRecorder.AllTenants, parameters, reader, time, cancellationToken));

    static async Task<StatsResponse> ReadAsync(string scope, StatsParameters p, StatsReader reader, TimeProvider time, CancellationToken cancellationToken)
    {
        var (from, to, interval, grouping) = p.Resolve(time.GetUtcNow());
        var hours = await reader.ReadAsync(scope, grouping, StatsSeries.Start(from, interval), to, cancellationToken);
        var series = StatsSeries.Of(hours, interval, from, to);
        return new StatsResponse(StatsSeries.Start(from, interval), to, interval.ToString().ToLowerInvariant(), p.GroupBy ?? "none",
            [.. series.Select(i => new StatsIntervalResponse(i.Start, [.. i.Groups.Select(g => StatsGroupResponse.Of(grouping == StatsGrouping.None ? null : g.Group, g.Counts))]))],
            null);
    }
}

/// <summary>A statistics request: a time span (default the last 24 hours by hour, or 30 days by day), the interval, and a grouping.</summary>
/// <param name="From">The start (default: a day or 30 days before 'to').</param>
/// <param name="To">The end (default: now).</param>
/// <param name="Interval">hour (default) or day.</param>
/// <param name="GroupBy">none (default), tag, domain, provider, ip or subtenant; across tenants, provider or ip.</param>
public sealed record StatsParameters(DateTimeOffset? From, DateTimeOffset? To, string? Interval, string? GroupBy)
{
    static readonly Dictionary<string, StatsGrouping> Groupings = new(StringComparer.Ordinal)
    {
        ["none"] = StatsGrouping.None, ["tag"] = StatsGrouping.Tag, ["domain"] = StatsGrouping.Domain, ["provider"] = StatsGrouping.Provider, ["ip"] = StatsGrouping.Ip,
        ["subtenant"] = StatsGrouping.Subtenant,
    };

    public (DateTimeOffset From, DateTimeOffset To, StatsInterval Interval, StatsGrouping Grouping) Resolve(DateTimeOffset now)
    {
        var interval = Interval == "day" ? StatsInterval.Day : StatsInterval.Hour;
        var to = To ?? now;
        var from = From ?? to - (interval == StatsInterval.Day ? TimeSpan.FromDays(30) : TimeSpan.FromDays(1));
        return (from, to, interval, Groupings.GetValueOrDefault(GroupBy ?? "none"));
    }

    public Dictionary<string, string[]> Problems(DateTimeOffset now, bool tenant)
    {
        var problems = new Dictionary<string, string[]>();
        if (Interval is not null and not "hour" and not "day")
        {
            problems["interval"] = ["hour or day."];
        }

        var allowed = tenant ? new[] { "none", "tag", "domain", "provider", "ip", "subtenant" } : ["none", "provider", "ip"];
        if (GroupBy is not null && !allowed.Contains(GroupBy))
        {
            problems["groupBy"] = [$"One of: {string.Join(", ", allowed)}."];
        }

        var (from, to, interval, _) = Resolve(now);
        var longest = interval == StatsInterval.Day ? TimeSpan.FromDays(400) : TimeSpan.FromDays(31);
        if (from >= to || to - from > longest)
        {
            problems["from"] = [$"Before 'to', and at most {longest.TotalDays:0} days before it with interval={Interval ?? "hour"}."];
        }

        return problems;
    }
}

public sealed record StatsResponse(DateTimeOffset From, DateTimeOffset To, string Interval, string GroupBy, IReadOnlyList<StatsIntervalResponse> Intervals,
    ReputationResponse? Reputation);

/// <summary>One interval: its start, and its counts per group (one group, named null, without a grouping).</summary>
public sealed record StatsIntervalResponse(DateTimeOffset Start, IReadOnlyList<StatsGroupResponse> Groups);

/// <summary>
/// Counts of one group in one interval. Deferrals count each time; rates are over recipients that reached an end
/// (delivered, bounced, expired or failed), the complaint rate over deliveries; null with nothing to divide by.
/// </summary>
public sealed record StatsGroupResponse(
    string? Group,
    long Accepted,
    long Delivered,
    long Deferred,
    IReadOnlyDictionary<string, long> DeferralsByCategory,
    long Bounced,
    IReadOnlyDictionary<string, long> BouncesByCategory,
    long Expired,
    long Failed,
    long Suppressed,
    long Complained,
    long Held,
    long SpamRejected,
    double? DeliveryRate,
    double? BounceRate,
    double? ComplaintRate,
    DeliveryTimeResponse DeliveryTime)
{
    public static StatsGroupResponse Of(string? group, StatsCounts c) =>
        new(group, c.Accepted, c.Delivered, c.Deferred, new SortedDictionary<string, long>(c.DeferralsByCategory, StringComparer.Ordinal),
            c.Bounced, new SortedDictionary<string, long>(c.BouncesByCategory, StringComparer.Ordinal), c.Expired, c.Failed,
            c.Suppressed, c.Complained, c.Held, c.SpamRejected, Round(c.DeliveryRate), Round(c.BounceRate), Round(c.ComplaintRate),
            new DeliveryTimeResponse(Ms(c.DeliveryTime.Percentile(0.5)), Ms(c.DeliveryTime.Percentile(0.95)), Ms(c.DeliveryTime.Percentile(0.99))));

    static double? Round(double? rate) => rate is { } r ? Math.Round(r, 4) : null;

    static long? Ms(TimeSpan? t) => t is { } v ? (long)Math.Round(v.TotalMilliseconds) : null;
}

/// <summary>Time from acceptance to delivery, in milliseconds (within about 12%), or null without deliveries.</summary>
public sealed record DeliveryTimeResponse(long? P50Ms, long? P95Ms, long? P99Ms);

/// <summary>The tenant's reputation window: what it sent and how much bounced or was complained about, and the rates that would pause it.</summary>
public sealed record ReputationResponse(double WindowDays, int Sent, int HardBounced, int Complained, double? BounceRate, double? ComplaintRate, int MinimumSends,
    double MaxBounceRate, double MaxComplaintRate, int SpamRefused, int MaxSpamRefusals)
{
    public static ReputationResponse Of(ReputationStanding r) =>
        new(r.Window.TotalDays, r.Sent, r.HardBounced, r.Complained, r.Sent == 0 ? null : Math.Round((double)r.HardBounced / r.Sent, 4),
            r.Sent == 0 ? null : Math.Round((double)r.Complained / r.Sent, 4), r.MinimumSends, r.MaxBounceRate, r.MaxComplaintRate,
            r.SpamRefused, r.MaxSpamRefusals);
}
