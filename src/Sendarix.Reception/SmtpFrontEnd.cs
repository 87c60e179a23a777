using System.Net;
using System.Security.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Reception.Feedback;
using Sendarix.Reception.Protocol;
using Sendarix.Reception.Session;
using Sendarix.Reception.Tls;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Sendarix.Reception;

/// <summary>
/// Runs the submission listeners, STARTTLS (587 role) and implicit TLS (465 role) with AUTH required on both, and the
/// optional feedback listener that takes ARF reports without AUTH and relays nothing.
/// </summary>
public sealed partial class SmtpFrontEnd(
    IOptions<SmtpOptions> options,
    ServerCertificate certificate,
    SmtpDrain drain,
    TimeProvider time,
    IServiceProvider services,
    ILogger<SmtpFrontEnd> logger) : BackgroundService
{
    readonly TaskCompletionSource<IReadOnlyDictionary<string, EndPoint>> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly List<GuardedListenerFactory> _listeners = [];

    /// <summary>Completes once every listener is bound, with the bound endpoint per role ("starttls", "tls", "feedback").</summary>
    public Task<IReadOnlyDictionary<string, EndPoint>> Listening => _listening.Task;

    /// <summary>True once shutdown has begun: new connections are refused with 421 4.3.2.</summary>
    public bool Draining => drain.IsDraining;

    int OpenSessions
    {
        get
        {
            lock (_listeners)
            {
                return _listeners.Sum(l => l.OpenSessions);
            }
        }
    }

    /// <summary>
    /// A graceful stop (SIGTERM): new connections get 421 4.3.2, sessions between transactions are ended with it,
    /// and sessions in a transaction finish it first, for up to <see cref="SmtpOptions.DrainTimeout"/>; only then do
    /// the listeners stop and what is left is cut.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        drain.Begin();
        var started = time.GetTimestamp();
        LogDraining(logger, OpenSessions);
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        grace.CancelAfter(options.Value.DrainTimeout);
        try
        {
            while (OpenSessions > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50), time, grace.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }

        LogDrained(logger, OpenSessions, time.GetElapsedTime(started).TotalSeconds);
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var address = IPAddress.Parse(o.BindAddress);
        var submission = Options(o);
        var expected = 0;
        foreach (var (port, implicitTls) in new[] { (o.StartTlsPort, false), (o.ImplicitTlsPort, true) })
        {
            if (port != 0)
            {
                expected++;
                submission.Endpoint(e => Endpoint(e, new IPEndPoint(address, port), implicitTls).AuthenticationRequired());
            }
        }

        var bound = new Dictionary<string, EndPoint>();
        var servers = new List<SmtpServer.SmtpServer>
        {
            Server(submission, definition => definition.IsSecure ? "tls" : "starttls",
                ActivatorUtilities.CreateInstance<CredentialAuthenticator>(services),
                ActivatorUtilities.CreateInstance<RelayMailboxFilter>(services),
                ActivatorUtilities.CreateInstance<RelayMessageStore>(services),
                new RelayCommandFactory(offerAuth: true)),
        };

        if (o.FeedbackPort != 0)
        {
            expected++;
            var feedback = Options(o).Endpoint(e => Endpoint(e, new IPEndPoint(address, o.FeedbackPort), implicitTls: false));
            servers.Add(Server(feedback, _ => "feedback",
                new NoAuthenticator(),
                ActivatorUtilities.CreateInstance<FeedbackMailboxFilter>(services),
                ActivatorUtilities.CreateInstance<FeedbackMessageStore>(services),
                new RelayCommandFactory(offerAuth: false)));
        }

        try
        {
            var serving = Task.WhenAll(servers.Select(s => s.StartAsync(stoppingToken)));

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

        SmtpServer.SmtpServer Server(SmtpServerOptionsBuilder builder, Func<IEndpointDefinition, string> role,
            IUserAuthenticator authenticator, IMailboxFilter filter, IMessageStore store, SmtpCommandFactory commands)
        {
            var listeners = ActivatorUtilities.CreateInstance<GuardedListenerFactory>(services);
            lock (_listeners)
            {
                _listeners.Add(listeners);
            }

            listeners.EndpointStarted += (definition, endpoint) =>
            {
                lock (bound)
                {
                    bound[role(definition)] = endpoint;
                    LogListening(logger, role(definition), endpoint.ToString()!);
                    if (bound.Count == expected)
                    {
                        _listening.TrySetResult(bound);
                    }
                }
            };

            listeners.EndpointFailed += (definition, ex) => _listening.TrySetException(
                new InvalidOperationException($"The SMTP listener on {definition.Endpoint} could not be opened: {ex.Message}", ex));

            var provider = new SmtpServer.ComponentModel.ServiceProvider();
            provider.Add(listeners);
            provider.Add(authenticator);
            provider.Add(filter);
            provider.Add(store);
            provider.Add(commands);

            return new SmtpServer.SmtpServer(builder.Build(), provider);
        }
    }

    SmtpServerOptionsBuilder Options(SmtpOptions o) => new SmtpServerOptionsBuilder()
        .ServerName(o.ServerName)
        // The guard enforces the size on the data itself; the library only checks MAIL's SIZE parameter.
        .MaxMessageSize(o.MaxMessageSize, MaxMessageSizeHandling.Ignore)
        .MaxRetryCount(o.MaxErrors)
        .MaxAuthenticationAttempts(o.MaxAuthenticationAttempts)
        // The guard closes idle sessions with a proper 421; the library's own wait is only a backstop.
        .CommandWaitTimeout(o.IdleTimeout + TimeSpan.FromMinutes(1))
        .CustomSmtpGreeting(_ => $"220 {o.ServerName} ESMTP ready");

    EndpointDefinitionBuilder Endpoint(EndpointDefinitionBuilder e, IPEndPoint endpoint, bool implicitTls) => e
        .Endpoint(endpoint)
        .IsSecure(implicitTls)
        .AllowUnsecureAuthentication(false)
        .Certificate(certificate.Certificate)
        .SupportedSslProtocols(SslProtocols.Tls12 | SslProtocols.Tls13)
        .SessionTimeout(options.Value.MaxSessionDuration);

    [LoggerMessage(EventId = 1005, EventName = "SmtpListenFailed", Level = LogLevel.Critical,
        Message = "The SMTP front-end could not start; the process stops")]
    static partial void LogListenFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1006, EventName = "SmtpDraining", Level = LogLevel.Information,
        Message = "SMTP front-end draining: new connections refused, {Sessions} session(s) finishing")]
    static partial void LogDraining(ILogger logger, int sessions);

    [LoggerMessage(EventId = 1007, EventName = "SmtpDrained", Level = LogLevel.Information,
        Message = "SMTP front-end drained in {Seconds:F1} s; {Sessions} session(s) cut")]
    static partial void LogDrained(ILogger logger, int sessions, double seconds);

    [LoggerMessage(EventId = 1000, EventName = "SmtpListening", Level = LogLevel.Information,
        Message = "SMTP listener ({Role}) on {Endpoint}")]
    static partial void LogListening(ILogger logger, string role, string endpoint);
}
