using System.Net;
using Azure.Data.Tables;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Hosting;
using Sendarix.Api;
using Sendarix.Core.Egress;
using Sendarix.Core.Retention;
using Sendarix.Core.Webhooks;
using Sendarix.Dashboard;
using Sendarix.Delivery;
using Sendarix.Grains;
using Sendarix.Grains.Domains;
using Sendarix.Grains.Reputation;
using Sendarix.Host.Configuration;
using Sendarix.Host.Development;
using Sendarix.Host.Health;
using Sendarix.Host.Identity;
using Sendarix.Host.Telemetry;
using Sendarix.Network;
using Sendarix.Reception;
using Sendarix.Storage;

namespace Sendarix.Host;

/// <summary>Builds the relay's process from configuration: a silo, the SMTP front-end and the API, each switchable.</summary>
public static class SendarixHost
{
    public static WebApplication Build(string[] args, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        // Settings files ship beside the binary; relative data paths still resolve against the working directory.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        var credential = builder.AddAzureIdentity();
        var configuration = builder.Configuration;
        var roles = configuration.GetSection(RolesOptions.Section).Get<RolesOptions>() ?? new RolesOptions();
        if (roles.RunsNothing)
        {
            throw new InvalidOperationException("Sendarix:Roles: at least one of Silo, Delivery, Smtp and Api must be true.");
        }

        var cluster = SettingsValidation.Bind<ClusterSettings>(configuration, ClusterSettings.Section);
        var storage = SettingsValidation.Bind<StorageOptions>(configuration, StorageOptions.Section);
        var api = SettingsValidation.Bind<ApiOptions>(configuration, ApiOptions.Section);
        var development = configuration.GetSection(DevelopmentOptions.Section).Get<DevelopmentOptions>() ?? new DevelopmentOptions();

        builder.AddRelayTelemetry($"{cluster.AdvertisedAddress}:{cluster.SiloPort}:{Environment.ProcessId}");
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSendarixStorage();
        builder.Services.AddEventSubscribers();
        builder.Services.AddRetryPolicy();

        // Egress pools are read by delivery (which IP to send from) and by the API (which pools exist): bound once.
        builder.Services.AddOptions<EgressOptions>().BindConfiguration(EgressOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        // Webhook rules are read by the API (what a URL may be) and by the silo (DNS, secrets, sending): bound once.
        builder.Services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.Configure<DevelopmentOptions>(configuration.GetSection(DevelopmentOptions.Section));
        builder.Services.Configure<ApiOptions>(configuration.GetSection(ApiOptions.Section));

        var tables = new StorageAccounts(storage, credential).Tables();
        if (roles.Silo)
        {
            builder.UseOrleans(silo =>
            {
                silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster.ClusterId, cluster.ServiceId));
                silo.ConfigureEndpoints(IPAddress.Parse(cluster.AdvertisedAddress), cluster.SiloPort, cluster.GatewayPort);
                silo.UseAzureStorageClustering(o => o.TableServiceClient = tables);
                silo.AddAzureTableGrainStorage(GrainStorage.Default, o => o.TableServiceClient = tables);
                silo.UseAzureTableReminderService(o => o.TableServiceClient = tables);
                silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = cluster.MinimumReminderPeriod);

                // The Orleans Dashboard's counters come from every silo; an API node shows them at /orleans.
                silo.AddDashboard();
                silo.AddActivityPropagation();
            });
            builder.Services.AddRelayNetwork();
            var domains = builder.Services.AddOptions<DomainOptions>().BindConfiguration(DomainOptions.Section);
            if (builder.Environment.IsDevelopment())
            {
                domains.PostConfigure(o => o.KeyEncryptionKey ??= DevelopmentKeys.LoadOrCreate(o.DevelopmentKeyPath, Convert.ToBase64String));
            }

            domains.ValidateDataAnnotations().ValidateOnStart();
            builder.Services.AddOptions<ReputationOptions>().BindConfiguration(ReputationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        }
        else
        {
            builder.UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster.ClusterId, cluster.ServiceId));
                client.UseAzureStorageClustering(o => o.TableServiceClient = tables);
                client.AddActivityPropagation();
                if (roles.Api)
                {
                    client.AddDashboard();
                }
            });
        }

        if (roles.RunsDelivery)
        {
            builder.Services.AddDelivery();
        }

        if (roles.Smtp)
        {
            builder.Services.AddSmtpFrontEnd();

            // The front-end's drain runs inside the host's shutdown, before the silo or client leaves the cluster.
            var drain = configuration.GetValue<TimeSpan?>($"{SmtpOptions.Section}:{nameof(SmtpOptions.DrainTimeout)}") ?? new SmtpOptions().DrainTimeout;
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = drain + TimeSpan.FromSeconds(30));
        }

        if (roles.Api)
        {
            var key = api.OperatorApiKey;
            if (string.IsNullOrEmpty(key) && builder.Environment.IsDevelopment())
            {
                key = DevelopmentKeys.LoadOrCreate(api.DevelopmentKeyPath, Convert.ToHexStringLower);
            }

            if (key is not { Length: >= 32 })
            {
                throw new InvalidOperationException("Sendarix:Api:OperatorApiKey must be set to a key of at least 32 characters.");
            }

            builder.Services.AddManagementApi(key, api);
            builder.Services.AddDashboard();
        }

        if (development.SeedTenant && roles.Silo && builder.Environment.IsDevelopment())
        {
            builder.Services.AddHostedService<DevelopmentSeeder>();
        }

        builder.WebHost.UseUrls(api.Url);
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddRelayHealthChecks(roles.Smtp);
        builder.Services.AddProblemDetails();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapRelayHealth();
        app.MapRelayTelemetry();
        if (roles.Api)
        {
            app.UseManagementApi();
            app.MapManagementApi();
            app.MapDashboard();
        }

        return app;
    }
}
