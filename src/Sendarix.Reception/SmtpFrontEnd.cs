using System.Net;
using System.Security.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Reception.Protocol;
using Sendarix.Reception.Session;
using Sendarix.Reception.Tls;
using SmtpServer;

namespace Sendarix.Reception;

/// <summary>Runs the submission listeners: STARTTLS (587 role) and implicit TLS (465 role), AUTH required on both.</summary>
public sealed partial class SmtpFrontEnd(
    IOptions<SmtpOptions> options,
    ServerCertificate certificate,
    IServiceProvider services,
    ILogger<SmtpFrontEnd> logger) : BackgroundService
{
    readonly TaskCompletionSource<IReadOnlyDictionary<string, EndPoint>> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once every listener is bound, with the bound endpoint per role ("starttls", "tls").</summary>
    public Task<IReadOnlyDictionary<string, EndPoint>> Listening => _listening.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var address = IPAddress.Parse(o.BindAddress);
        var cert = certificate.Certificate;
        var builder = new SmtpServerOptionsBuilder()
            .ServerName(o.ServerName)
            // The guard enforces the size on the data itself; the library only checks MAIL's SIZE parameter.
            .MaxMessageSize(o.MaxMessageSize, MaxMessageSizeHandling.Ignore)
            .MaxRetryCount(o.MaxErrors)
            .MaxAuthenticationAttempts(o.MaxAuthenticationAttempts)
            // The guard closes idle sessions with a proper 421; the library's own wait is only a backstop.
            .CommandWaitTimeout(o.IdleTimeout + TimeSpan.FromMinutes(1))
            .CustomSmtpGreeting(_ => $"220 {o.ServerName} ESMTP ready");

        var roles = new Dictionary<int, string>();
        foreach (var (port, implicitTls, role) in new[] { (o.StartTlsPort, false, "starttls"), (o.ImplicitTlsPort, true, "tls") })
        {
            if (port == 0)
            {
                continue;
            }

            roles[roles.Count] = role;
            builder.Endpoint(e => e
                .Endpoint(new IPEndPoint(address, port))
                .IsSecure(implicitTls)
                .AllowUnsecureAuthentication(false)
                .AuthenticationRequired()
                .Certificate(cert)
                .SupportedSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13)
                .SessionTimeout(o.MaxSessionDuration));
        }

        var listeners = ActivatorUtilities.CreateInstance<GuardedListenerFactory>(services);
        var bound = new Dictionary<string, EndPoint>();
        listeners.EndpointStarted += (definition, endpoint) =>
        {
            lock (bound)
            {
                bound[definition.IsSecure ? "tls" : "starttls"] = endpoint;
                LogListening(logger, definition.IsSecure ? "implicit TLS" : "STARTTLS", endpoint.ToString()!);
                if (bound.Count == roles.Count)
                {
                    _listening.TrySetResult(bound);
                }
            }
        };

        listeners.EndpointFailed += (definition, ex) => _listening.TrySetException(
            new InvalidOperationException($"The SMTP listener on {definition.Endpoint} could not be opened: {ex.Message}", ex));

        var provider = new SmtpServer.ComponentModel.ServiceProvider();
        provider.Add(listeners);
        provider.Add(ActivatorUtilities.CreateInstance<CredentialAuthenticator>(services));
        provider.Add(ActivatorUtilities.CreateInstance<RelayMailboxFilter>(services));
        provider.Add(ActivatorUtilities.CreateInstance<RelayMessageStore>(services));
        provider.Add(new RelayCommandFactory());

        var server = new SmtpServer.SmtpServer(builder.Build(), provider);
        try
        {
            var serving = server.StartAsync(stoppingToken);

            // A listener that cannot be opened stops the host: a front-end must not run half-deaf.
            if (await Task.WhenAny(serving, _listening.Task) == _listening.Task)
            {
                await _listening.Task;
            }

            await serving;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _listening.TrySetException(ex);
            LogListenFailed(logger, ex);
            throw;
        }
    }

    [LoggerMessage(EventId = 1005, EventName = "SmtpListenFailed", Level = LogLevel.Critical,
        Message = "The SMTP front-end could not start; the process stops")]
    static partial void LogListenFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1000, EventName = "SmtpListening", Level = LogLevel.Information,
        Message = "SMTP submission ({Role}) listening on {Endpoint}")]
    static partial void LogListening(ILogger logger, string role, string endpoint);
}
