using DnsClient;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Sendarix.Api.Destinations;
using Sendarix.Api.Egress;
using Sendarix.Api.Stats;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Egress;
using Sendarix.Core.Providers;
using Sendarix.Network.Dns;
using Sendarix.Storage.Retries;
using Sendarix.Storage.Stats;
using Sendarix.Storage.Tenants;

namespace Sendarix.Dashboard.Pages.Operator;

/// <summary>
/// What the operator watches: throughput now, where mail waits (by destination and provider, with back-off), why
/// it was deferred, paused tenants, egress IPs and the cluster's members. The live sections come again from
/// <see cref="OnGetLiveAsync"/> every few seconds.
/// </summary>
public sealed class OperatorModel(
    IGrainFactory grains, RetryStore retries, DestinationIndex index, StatsReader stats, TenantDirectory directory, DnsLookup dns,
    IOptions<EgressOptions> egress, TimeProvider time) : DashboardPage
{
    const int MaxTenantsScanned = 2000;

    readonly Dictionary<string, string> _providers = new(StringComparer.OrdinalIgnoreCase);

    public DateTimeOffset At { get; private set; }

    public StatsGroupResponse ThisHour { get; private set; } = Empty;

    public double PerMinute { get; private set; }

    public IReadOnlyList<DestinationResponse> Destinations { get; private set; } = [];

    public IReadOnlyList<(string Provider, long Deferred, IReadOnlyDictionary<string, long> Reasons)> DeferralsByProvider { get; private set; } = [];

    public IReadOnlyList<TenantInfo> Paused { get; private set; } = [];

    public IReadOnlyList<PoolResponse> Pools { get; private set; } = [];

    public IReadOnlyList<(string Name, string Address, string Status, DateTime Started)> Members { get; private set; } = [];

    public string ProviderOf(string destination) => _providers.GetValueOrDefault(destination, Provider.Default);

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnGetLiveAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        return Partial("_Live", this);
    }

    async Task LoadAsync(CancellationToken cancellationToken)
    {
        At = time.GetUtcNow();
        var hour = new DateTimeOffset(At.Year, At.Month, At.Day, At.Hour, 0, 0, TimeSpan.Zero);
        var thisHour = StatsApi.AllAsync(new StatsParameters(hour, At, "hour", null), stats, time, cancellationToken);
        var byProvider = StatsApi.AllAsync(new StatsParameters(At.AddDays(-1), At, "day", "provider"), stats, time, cancellationToken);
        var destinations = DestinationsApi.ListAsync(grains, retries, index, time, cancellationToken);
        var pools = EgressApi.ListPoolsAsync(grains, egress);
        var paused = PausedAsync(cancellationToken);
        var members = grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true);
        await Task.WhenAll(thisHour, byProvider, destinations, pools, paused, members);

        if ((await thisHour).Result is Ok<StatsResponse> current)
        {
            ThisHour = current.Value!.Intervals.SelectMany(i => i.Groups).FirstOrDefault() ?? Empty;
            PerMinute = ThisHour.Accepted / Math.Max(1, (At - hour).TotalMinutes);
        }

        if ((await byProvider).Result is Ok<StatsResponse> providers)
        {
            DeferralsByProvider = [.. providers.Value!.Intervals.SelectMany(i => i.Groups).GroupBy(g => g.Group ?? Provider.Default)
                .Select(g => (g.Key, g.Sum(x => x.Deferred), (IReadOnlyDictionary<string, long>)g.SelectMany(x => x.DeferralsByCategory)
                    .GroupBy(r => r.Key).ToDictionary(r => r.Key, r => r.Sum(x => x.Value))))
                .Where(p => p.Item2 > 0).OrderByDescending(p => p.Item2)];
        }

        if ((await destinations).Result is Ok<List<DestinationResponse>> waiting)
        {
            Destinations = waiting.Value!;
            await Task.WhenAll(Destinations.Select(async d => _providers[d.Destination] = await ProviderAsync(d.Destination, cancellationToken)));
        }

        Pools = (await pools).Value!;
        Paused = await paused;
        Members = [.. (await members).Select(h => (h.SiloName, h.SiloAddress.ToString(), h.Status.ToString(), h.StartTime))];
    }

    async Task<IReadOnlyList<TenantInfo>> PausedAsync(CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        await foreach (var id in directory.AllAsync(cancellationToken))
        {
            ids.Add(id);
            if (ids.Count == MaxTenantsScanned)
            {
                break;
            }
        }

        var tenants = await Task.WhenAll(ids.Select(id => grains.GetGrain<ITenantGrain>(id).GetAsync()));
        return [.. tenants.OfType<TenantInfo>().Where(t => t.PausedReason is not null).OrderByDescending(t => t.PausedAt)];
    }

    /// <summary>The provider of a destination, from its MX hosts as delivery groups them (cached by the DNS client).</summary>
    async Task<string> ProviderAsync(string destination, CancellationToken cancellationToken)
    {
        try
        {
            var response = await dns.Client.QueryAsync(destination, QueryType.MX, cancellationToken: cancellationToken);
            return Provider.FromMxHosts(response.Answers.MxRecords().Select(m => m.Exchange.Value));
        }
        catch (DnsResponseException)
        {
            return Provider.Default;
        }
    }

    static readonly StatsGroupResponse Empty = new(null, 0, 0, 0, new Dictionary<string, long>(), 0, new Dictionary<string, long>(), 0, 0, 0, 0, 0, 0, null, null, null,
        new DeliveryTimeResponse(null, null, null));
}
