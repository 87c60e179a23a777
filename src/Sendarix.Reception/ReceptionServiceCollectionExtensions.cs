using Microsoft.Extensions.DependencyInjection;
using Sendarix.Reception.Tls;
using Sendarix.Storage;

namespace Sendarix.Reception;

public static class ReceptionServiceCollectionExtensions
{
    /// <summary>The SMTP submission front-end and the group-commit acceptance behind it.</summary>
    public static IServiceCollection AddSmtpFrontEnd(this IServiceCollection services)
    {
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<Spam.SpamFilterOptions>().BindConfiguration(Spam.SpamFilterOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<Spam.RspamdScanner>();
        services.AddSingleton<Spam.SpamCheck>();
        services.AddSendarixAcceptance();
        services.AddSingleton<ServerCertificate>();
        services.AddSingleton<Protocol.SmtpDrain>();
        services.AddSingleton<Session.TenantPolicy>();
        services.AddSingleton<Session.SubmissionSandbox>();
        services.AddSingleton<Session.BearerTickets>();
        services.AddSingleton<Session.JwksKeys>();
        services.AddSingleton<Protocol.IBearerLogin, Session.BearerLogin>();
        services.AddSingleton<SmtpFrontEnd>();
        services.AddHostedService(sp => sp.GetRequiredService<SmtpFrontEnd>());
        services.AddHostedService<SandboxListener>();
        return services;
    }
}
