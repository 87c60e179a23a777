using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Sendarix.Api.Security;
using Sendarix.Contracts.Egress;
using Sendarix.Core.Egress;

namespace Sendarix.Api.Egress;

/// <summary>Egress pools and IPs: their status, warm-up and standing with each provider; warm-up, pause and resume.</summary>
public static class EgressApi
{
    static readonly string[] Actions = ["warmup", "pause", "resume"];

    public static RouteGroupBuilder MapEgressApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/pools", ListPoolsAsync).WithTags("Egress").WithName("ListPools").RequireOperator()
            .WithSummary("Every egress pool with its IPs: tier, status, warm-up day and cap, and each provider's standing (sent today, deprioritised until, the last 24 hours' outcomes and block rate).");
        v1.MapGet("/ips/{address}", GetIpAsync).WithTags("Egress").WithName("GetIp").RequireOperator().WithSummary("One egress IP.");
        v1.MapPost("/ips/{address}/{action}", ApplyAsync).WithTags("Egress").WithName("ChangeIp").RequireOperator()
            .WithSummary("warmup: start the IP's warm-up at day 1; pause: no more traffic from it; resume: back to how it was.");
        return v1;
    }

    internal static async Task<Ok<PoolResponse[]>> ListPoolsAsync(IGrainFactory grains, IOptions<EgressOptions> options)
    {
        var o = options.Value;
        var pools = new List<PoolResponse>();
        foreach (var (name, pool) in o.Pools)
        {
            var ips = new List<IpResponse>();
            foreach (var ip in pool.Ips)
            {
                ips.Add(IpResponse.From(await grains.GetGrain<IIpGrain>(ip.Address).GetAsync(), name, ip.Tier));
            }

            pools.Add(new PoolResponse(name, name == o.DefaultPool, ips));
        }

        // Tenants without a pool then send from the host's own address: shown as a pool of its own.
        if (string.IsNullOrEmpty(o.DefaultPool))
        {
            var host = await grains.GetGrain<IIpGrain>(IIpGrain.HostAddress).GetAsync();
            pools.Add(new PoolResponse(EgressOptions.HostPool, true, [IpResponse.From(host, EgressOptions.HostPool, 0)]));
        }

        return TypedResults.Ok(pools.ToArray());
    }

    static async Task<Results<Ok<IpResponse>, ProblemHttpResult>> GetIpAsync(string address, IGrainFactory grains, IOptions<EgressOptions> options) =>
        Locate(address, options.Value) is { } found
            ? TypedResults.Ok(IpResponse.From(await grains.GetGrain<IIpGrain>(address).GetAsync(), found.Pool, found.Tier))
            : TypedResultsProblem.NotFound($"Egress IP '{address}'");

    static async Task<Results<Ok<IpResponse>, ProblemHttpResult>> ApplyAsync(string address, string action, IGrainFactory grains, IOptions<EgressOptions> options)
    {
        if (Locate(address, options.Value) is not { } found || !Actions.Contains(action))
        {
            return TypedResultsProblem.NotFound($"Egress IP '{address}' or action '{action}' (warmup, pause, resume)");
        }

        return TypedResults.Ok(IpResponse.From(await grains.GetGrain<IIpGrain>(address).ApplyAsync(action), found.Pool, found.Tier));
    }

    /// <summary>The pool and tier of a configured IP, or of the host's own address ("default") when tenants may send from it.</summary>
    static (string Pool, int Tier)? Locate(string address, EgressOptions o) =>
        o.Find(address) is { } found ? (found.Pool, found.Ip.Tier)
        : address == IIpGrain.HostAddress && string.IsNullOrEmpty(o.DefaultPool) ? (EgressOptions.HostPool, 0)
        : null;
}

public sealed record PoolResponse(string Name, bool IsDefault, IReadOnlyList<IpResponse> Ips);

public sealed record IpResponse(string Address, string Pool, int Tier, string Status, int? WarmupDay, int? DailyCap, IReadOnlyList<IpProviderStatus> Standing)
{
    public static IpResponse From(IpStatus s, string pool, int tier) => new(s.Address, pool, tier, s.Status, s.WarmupDay, s.DailyCap, s.Providers);
}
