using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Sendarix.Reception;

/// <summary>
/// The sandbox's listener (<see cref="SmtpOptions.SandboxPort"/>): every connection is greeted with 421 and closed, as
/// a relay that is down or overloaded answers, so an application can test that it retries or moves to another host.
/// It reads nothing, so it costs a connection and one write, whatever a client sends.
/// </summary>
internal sealed partial class SandboxListener(IOptions<SmtpOptions> options, ILogger<SandboxListener> logger) : BackgroundService
{
    static readonly byte[] Greeting = "421 4.3.2 Service not available; closing connection (simulated)\r\n"u8.ToArray();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.SandboxPort == 0)
        {
            return;
        }

        using var listener = new TcpListener(IPAddress.Parse(options.Value.BindAddress), options.Value.SandboxPort);
        listener.Start();
        LogListening(logger, listener.LocalEndpoint);
        try
        {
            while (true)
            {
                _ = GreetAsync(await listener.AcceptSocketAsync(stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    static async Task GreetAsync(Socket client)
    {
        using (client)
        {
            try
            {
                await client.SendAsync(Greeting);
                client.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
                // The client left first.
            }
        }
    }

    [LoggerMessage(EventId = 1201, EventName = "SandboxListening", Level = LogLevel.Information,
        Message = "Sandbox listener on {EndPoint}: every connection is greeted with 421 and closed")]
    static partial void LogListening(ILogger logger, EndPoint endPoint);
}
