using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Sendarix.Network.Dns;
using Sendarix.Network.Webhooks;

namespace Sendarix.Network;

public static class NetworkServiceCollectionExtensions
{
    /// <summary>
    /// The relay's DNS client and the webhook address rules: delivery, the grains (domain checks, webhook endpoints)
    /// and the dashboard each need them, whichever of those roles a node runs. Safe to call more than once.
    /// </summary>
    public static IServiceCollection AddRelayNetwork(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(DnsLookup)))
        {
            return services;
        }

        services.AddOptions<DnsOptions>().BindConfiguration(DnsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<DnsLookup>();
        services.TryAddSingleton<WebhookUrlGuard>();
        return services;
    }
}
