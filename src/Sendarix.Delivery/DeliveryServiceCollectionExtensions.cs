using Microsoft.Extensions.DependencyInjection;
using Sendarix.Core.Providers;
using Sendarix.Core.Retry;
using Sendarix.Core.Webhooks;
using Sendarix.Delivery.Routing;
using Sendarix.Delivery.Worker;
using Sendarix.Network;
using Sendarix.Storage;

namespace Sendarix.Delivery;

public static class DeliveryServiceCollectionExtensions
{
    /// <summary>Delivery workers: in a silo, or on a node of their own that reaches the grains as a cluster client.</summary>
    public static IServiceCollection AddDelivery(this IServiceCollection services)
    {
        services.AddOptions<DeliveryOptions>().BindConfiguration(DeliveryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddRelayNetwork();
        services.AddSingleton<Shaping.ProviderProfiles>();
        services.AddSingleton<Egress.EgressChooser>();
        services.AddSingleton<Transport.CertificateVerifier>();
        services.AddSingleton<EndpointHealth>();
        services.AddHostedService(sp => sp.GetRequiredService<EndpointHealth>());
        services.AddSingleton<MtaStsPolicies>();
        services.AddSingleton<DestinationResolver>();
        services.AddSingleton<UpstreamRoutes>();
        services.AddSingleton<Transport.UpstreamTokens>();
        services.AddSingleton<Signing.DkimSigning>();
        services.AddSingleton<DeliveryPlanner>();
        services.AddSingleton<Dispatcher>();
        services.AddSingleton<OutcomeRecorder>();
        services.AddSendarixAcceptance();
        services.AddSingleton<Reports.StatusNotifier>();
        services.AddHostedService<WorkConsumer>();
        services.AddHostedService<Storage.Telemetry.QueueGauges>();

        // Webhooks: the dispatcher (the webhook queue to the endpoints) runs beside delivery.
        services.AddOptions<Webhooks.WebhookSenderOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Webhooks.WebhookSender>();
        services.AddSingleton<Webhooks.WebhookHealth>();
        services.AddHostedService<Webhooks.WebhookDispatcher>();
        return services;
    }

    /// <summary>
    /// Who takes a tenant's events (its webhook endpoints, read from their grain): every role records events, so every
    /// role routes them.
    /// </summary>
    public static IServiceCollection AddEventSubscribers(this IServiceCollection services)
    {
        services.AddOptions<Webhooks.WebhookDispatchOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Webhooks.WebhookEndpointCache>();
        services.AddSingleton<Storage.Events.IEventSubscribers, Webhooks.WebhookSubscribers>();
        return services;
    }

    /// <summary>The retry schedule and the traffic shaping, shared by delivery and the grains (destinations, throttles).</summary>
    public static IServiceCollection AddRetryPolicy(this IServiceCollection services)
    {
        services.AddOptions<RetryOptions>().BindConfiguration(RetryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ShapingOptions>().BindConfiguration(ShapingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }
}
