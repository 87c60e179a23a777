using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Sendarix.Storage.Acceptance;
using Sendarix.Storage.Bodies;
using Sendarix.Storage.Messages;
using Sendarix.Storage.Queue;
using Sendarix.Storage.Retries;
using Sendarix.Storage.Tenants;

namespace Sendarix.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>The relay's storage: clients, ledger, queue, retry table and body store.</summary>
    public static IServiceCollection AddSendarixStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        // Read by the front-end's acceptor and by delivery's check of unconfirmed work.
        services.AddOptions<AcceptanceOptions>().BindConfiguration(AcceptanceOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<AcceptanceConfirmation>();
        services.AddSingleton<StorageClients>();
        services.AddSingleton<MessageLedger>();
        services.AddSingleton<WorkQueue>();
        services.AddSingleton<RetryStore>();
        services.AddSingleton<Held.HeldMailStore>();
        services.AddSingleton<DestinationIndex>();
        services.AddSingleton<TenantEventLog>();
        services.AddOptions<Search.SearchOptions>().BindConfiguration(Search.SearchOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Search.SearchIndex>();
        services.AddSingleton<Search.MessageSearch>();
        services.AddOptions<Stats.StatsOptions>().BindConfiguration(Stats.StatsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddMetrics();
        services.AddSingleton<Telemetry.RelayMetrics>();
        services.AddSingleton<Stats.StatsRecorder>();
        services.AddHostedService(sp => sp.GetRequiredService<Stats.StatsRecorder>());
        services.AddSingleton<Stats.StatsReader>();
        services.AddSingleton<Events.EventRecorder>();
        services.AddSingleton<Webhooks.WebhookQueue>();
        services.AddSingleton<Webhooks.WebhookPublisher>();
        services.AddSingleton<Webhooks.WebhookAttemptLog>();
        services.AddSingleton<Suppression.SuppressionStore>();
        services.AddSingleton<Tenants.TenantDirectory>();
        services.AddSingleton<Retention.RetentionSweeper>();
        services.AddSingleton<BodyStore>();
        services.AddSingleton<RecentBodies>();
        services.AddHostedService<StorageBootstrap>();
        return services;
    }

    /// <summary>
    /// Group-commit acceptance, for hosts that run the SMTP front-end, and for delivery, which accepts the delivery
    /// status notifications it writes. Added once, however many roles ask for it.
    /// </summary>
    public static IServiceCollection AddSendarixAcceptance(this IServiceCollection services)
    {
        if (services.Any(s => s.ServiceType == typeof(GroupCommitAcceptor)))
        {
            return services;
        }

        services.AddSingleton<GroupCommitAcceptor>();
        services.AddSingleton<IMessageAcceptor>(sp => sp.GetRequiredService<GroupCommitAcceptor>());
        services.AddHostedService(sp => sp.GetRequiredService<GroupCommitAcceptor>());
        return services;
    }
}
