using System.Text.Json;
using Microsoft.Extensions.Options;
using Sendarix.Contracts.Credentials;
using Sendarix.Contracts.Tenants;
using Sendarix.Reception;

namespace Sendarix.Host.Development;

/// <summary>
/// On a development machine: makes sure a tenant and a credential exist, keeps the credential in the data folder
/// (the relay itself stores only its hash), and prints where and how to submit mail. Never runs in production.
/// </summary>
internal sealed partial class DevelopmentSeeder(
    IGrainFactory grains,
    IServiceProvider services,
    IOptions<DevelopmentOptions> options,
    IOptions<SmtpOptions> smtp,
    IOptions<Api.ApiOptions> api,
    IHostApplicationLifetime lifetime,
    ILogger<DevelopmentSeeder> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        await started.Task.WaitAsync(stoppingToken);

        var path = Path.Combine(options.Value.DataDirectory, "dev-tenant.json");
        DevelopmentTenant? seed = null;
        try
        {
            seed = await LoadAsync(path, stoppingToken) ?? await CreateAsync(path, stoppingToken);

            // The development tenant may send as any domain: DNS records cannot be published for a laptop.
            await grains.GetGrain<ITenantGrain>(seed.TenantId).UpdateSettingsAsync(new TenantSettingsChange(AllowUnverifiedSenders: true, null, null));
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogSeedFailed(logger, ex);
            return;
        }

        var frontEnd = services.GetService<SmtpFrontEnd>();
        var endpoints = frontEnd is null ? null : await frontEnd.Listening.WaitAsync(stoppingToken);
        var o = smtp.Value;
        Console.WriteLine($"""

            Sendarix relay is running (development).
              SMTP host      {o.BindAddress}
              STARTTLS port  {(endpoints?.TryGetValue("starttls", out var s) == true ? s : "off")}
              TLS port       {(endpoints?.TryGetValue("tls", out var t) == true ? t : "off")}
              feedback port  {(endpoints?.TryGetValue("feedback", out var f) == true ? $"{f} (ARF reports to {string.Join(", ", o.FeedbackAddresses)}, no AUTH)" : "off")}
              tenant         {seed.TenantId}
              username       {seed.Username}
              password       {seed.Secret}
              senders        any address (development tenant; other tenants send only as verified domains)
              API            {api.Value.Url}  (operator key in {Path.GetFullPath(api.Value.DevelopmentKeyPath)})
            The certificate is self-signed: tell your client to trust {Path.GetFullPath(Path.ChangeExtension(o.DevelopmentCertificatePath, ".pem"))}.

            """);
    }

    async Task<DevelopmentTenant?> LoadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        await using var file = File.OpenRead(path);
        var seed = await JsonSerializer.DeserializeAsync<DevelopmentTenant>(file, cancellationToken: cancellationToken);
        if (seed is null)
        {
            return null;
        }

        // The data folder may be newer than the storage it describes (storage wiped): check the credential still works.
        var record = await grains.GetGrain<ICredentialGrain>(seed.Username).GetAsync();
        return record is { Revoked: false } && record.TenantId == seed.TenantId ? seed : null;
    }

    async Task<DevelopmentTenant> CreateAsync(string path, CancellationToken cancellationToken)
    {
        var tenantId = Core.Ids.TenantIds.New();
        await grains.GetGrain<ITenantGrain>(tenantId).CreateAsync("Development");
        var issued = await grains.GetGrain<ITenantGrain>(tenantId).IssueCredentialAsync("development", null, CredentialKind.Smtp)
            ?? throw new InvalidOperationException("The development tenant vanished while its credential was issued.");
        var seed = new DevelopmentTenant(tenantId, issued.Credential.Username, issued.Secret);
        await PrivateFile.WriteAsync(path, JsonSerializer.Serialize(seed), cancellationToken);
        return seed;
    }

    [LoggerMessage(EventId = 9001, EventName = "DevelopmentSeedFailed", Level = LogLevel.Error,
        Message = "The development tenant could not be prepared")]
    static partial void LogSeedFailed(ILogger logger, Exception exception);

    sealed record DevelopmentTenant(string TenantId, string Username, string Secret);
}
