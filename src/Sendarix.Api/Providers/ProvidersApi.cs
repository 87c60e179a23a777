using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Sendarix.Api.Security;
using Sendarix.Contracts.Egress;
using Sendarix.Contracts.Shaping;
using Microsoft.Extensions.Options;
using Sendarix.Core.Egress;
using Sendarix.Core.Providers;

namespace Sendarix.Api.Providers;

/// <summary>Provider profiles (how the relay sends to Gmail, Microsoft, Yahoo, iCloud and the rest) and their throttles.</summary>
public static class ProvidersApi
{
    public static RouteGroupBuilder MapProvidersApi(this RouteGroupBuilder v1)
    {
        var providers = v1.MapGroup("/providers").WithTags("Providers").RequireOperator();
        providers.MapGet("/", ListAsync).WithName("ListProviders")
            .WithSummary("Every provider's profile in force, with its throttle: connections open across the cluster and the limit now.");
        providers.MapGet("/{provider}", GetAsync).WithName("GetProvider").WithSummary("One provider's profile and throttle.");
        providers.MapPut("/{provider}", SetAsync).WithName("SetProvider")
            .WithSummary("Replaces the operator's changes to a provider's profile (null: the configured value); applies cluster-wide within seconds.");
        return v1;
    }

    static async Task<Ok<ProviderResponse[]>> ListAsync(IGrainFactory grains, IOptions<EgressOptions> egress) =>
        TypedResults.Ok(await Task.WhenAll(ProviderProfile.Names.Select(name => ResponseAsync(grains, egress.Value, name))));

    static async Task<Results<Ok<ProviderResponse>, ProblemHttpResult>> GetAsync(string provider, IGrainFactory grains, IOptions<EgressOptions> egress) =>
        ProviderProfile.Defaults.ContainsKey(provider)
            ? TypedResults.Ok(await ResponseAsync(grains, egress.Value, provider))
            : TypedResultsProblem.NotFound($"Provider '{provider}'");

    static async Task<Results<Ok<ProviderResponse>, ProblemHttpResult, ValidationProblem>> SetAsync(
        string provider, ProviderSettings settings, IGrainFactory grains, IOptions<EgressOptions> egress)
    {
        if (!ProviderProfile.Defaults.ContainsKey(provider))
        {
            return TypedResultsProblem.NotFound($"Provider '{provider}'");
        }

        var change = new ProviderProfileChange(settings.ConnectionsPerIp, settings.MessagesPerConnection, settings.MessagesPerMinutePerIp, settings.RequireTls);
        var errors = change.OutOfBounds().ToDictionary(
            b => char.ToLowerInvariant(b.Field[0]) + b.Field[1..], b => new[] { $"Between {b.Min} and {b.Max}, or null for the configured value." });
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }

        await grains.GetGrain<IProviderGrain>(provider).SetAsync(settings);
        return TypedResults.Ok(await ResponseAsync(grains, egress.Value, provider));
    }

    static async Task<ProviderResponse> ResponseAsync(IGrainFactory grains, EgressOptions egress, string provider)
    {
        var profile = await grains.GetGrain<IProviderGrain>(provider).GetAsync();
        var sources = egress.Pools.Values.SelectMany(p => p.Ips.Select(ip => ip.Address)).Prepend(IIpGrain.HostAddress);
        var throttles = new List<EgressThrottle>();
        foreach (var source in sources)
        {
            var t = await grains.GetGrain<IThrottleGrain>(IThrottleGrain.Key(provider, source)).GetStatusAsync(profile.ConnectionsPerIp);
            throttles.Add(new EgressThrottle(source, t.OpenConnections, t.ConnectionLimit, t.ReducedUntil));
        }

        return new ProviderResponse(profile.Provider, profile.ConnectionsPerIp, profile.MessagesPerConnection, profile.MessagesPerMinutePerIp,
            profile.RequireTls, profile.OperatorSettings, throttles);
    }
}

public sealed record ProviderResponse(string Provider, int ConnectionsPerIp, int MessagesPerConnection, int? MessagesPerMinutePerIp,
    bool RequireTls, ProviderSettings? OperatorSettings, IReadOnlyList<EgressThrottle> Throttles);

/// <summary>A (provider, egress) throttle now: connections open across the cluster and the limit in force (halved during a back-off).</summary>
public sealed record EgressThrottle(string Egress, int OpenConnections, int ConnectionLimit, DateTimeOffset? ReducedUntil);
