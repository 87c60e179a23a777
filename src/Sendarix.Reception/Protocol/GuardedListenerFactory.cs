using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Options;
using Sendarix.Core.Smtp;
using Sendarix.Reception.Tls;
using Sendarix.Storage.Telemetry;
using SmtpServer;
using SmtpServer.IO;
using SmtpServer.Net;

namespace Sendarix.Reception.Protocol;

/// <summary>
/// Listeners whose connections go through <see cref="GuardedDuplexPipe"/>, with TCP_NODELAY set (the library's
/// own listener leaves Nagle's algorithm on, which stalls every pipelined reply), connection limits per front-end
/// and per client address, and the drain: while it lasts, a new connection is told 421 4.3.2 and closed.
/// </summary>
internal sealed class GuardedListenerFactory(IOptions<SmtpOptions> options, RelayMetrics metrics, SmtpDrain drain, ServerCertificate certificate, IBearerLogin bearer)
    : IEndpointListenerFactory
{
    readonly ConcurrentDictionary<IPAddress, int> _perClient = new();
    int _open;

    SmtpOptions Options => options.Value;

    SmtpDrain Drain => drain;

    IBearerLogin Bearer => bearer;

    X509Certificate2 Certificate => certificate.Certificate;

    /// <summary>Sessions open now on this front-end.</summary>
    public int OpenSessions => Volatile.Read(ref _open);

    /// <summary>Raised once a listener is bound, with its actual endpoint (useful with port 0).</summary>
    public event Action<IEndpointDefinition, EndPoint>? EndpointStarted;

    /// <summary>Raised when a listener cannot be bound (the port is taken, the address is not local).</summary>
    public event Action<IEndpointDefinition, Exception>? EndpointFailed;

    public IEndpointListener CreateListener(IEndpointDefinition endpointDefinition)
    {
        var socket = new Socket(endpointDefinition.Endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(endpointDefinition.Endpoint);
            socket.Listen(1024);
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            EndpointFailed?.Invoke(endpointDefinition, ex);
            throw;
        }

        EndpointStarted?.Invoke(endpointDefinition, socket.LocalEndPoint!);
        return new Listener(this, socket, endpointDefinition);
    }

    bool TryOpen(IPAddress client)
    {
        var o = options.Value;
        if (Interlocked.Increment(ref _open) > o.MaxConnections)
        {
            Interlocked.Decrement(ref _open);
            return false;
        }

        // Counted as open here, as Close (which the refusal below goes through) counts it closed.
        metrics.SessionOpened();
        var count = _perClient.AddOrUpdate(client, 1, (_, n) => n + 1);
        if (count > o.MaxConnectionsPerClient)
        {
            Close(client);
            return false;
        }

        return true;
    }

    void Close(IPAddress client)
    {
        Interlocked.Decrement(ref _open);
        metrics.SessionClosed();
        if (_perClient.AddOrUpdate(client, 0, (_, n) => n - 1) <= 0)
        {
            _perClient.TryRemove(new KeyValuePair<IPAddress, int>(client, 0));
        }
    }

    sealed class Listener(GuardedListenerFactory factory, Socket socket, IEndpointDefinition endpoint) : IEndpointListener
    {
        static readonly byte[] TooMany = "421 4.7.0 Too many connections; try again later\r\n"u8.ToArray();
        static readonly byte[] Draining = Encoding.ASCII.GetBytes(ReplyRewriter.Draining + "\r\n");

        public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
        {
            while (true)
            {
                var client = await socket.AcceptAsync(cancellationToken);
                client.NoDelay = true;
                var remote = (IPEndPoint)client.RemoteEndPoint!;
                if (factory.Drain.IsDraining)
                {
                    _ = RefuseDrainingAsync(client);
                    continue;
                }

                if (!factory.TryOpen(remote.Address))
                {
                    _ = RefuseAsync(client);
                    continue;
                }

                context.Properties[EndpointListener.LocalEndPointKey] = client.LocalEndPoint!;
                context.Properties[EndpointListener.RemoteEndPointKey] = remote;
                var o = factory.Options;
                var limits = new GuardLimits(o.MaxCommandLineLength, o.MaxMessageSize, o.IdleTimeout, o.TlsHandshakeTimeout);
                return new GuardedDuplexPipe(client, limits, endpoint.IsSecure, factory.Drain.Begun, () => factory.Close(remote.Address), factory.Bearer);
            }
        }

        public void Dispose() => socket.Dispose();

        /// <summary>On the implicit-TLS port the reply goes over TLS, so that the client can read why it is refused.</summary>
        async Task RefuseDrainingAsync(Socket client)
        {
            try
            {
                await using var stream = new NetworkStream(client, ownsSocket: false);
                if (endpoint.IsSecure)
                {
                    using var timeout = new CancellationTokenSource(factory.Options.TlsHandshakeTimeout);
                    await using var ssl = new SslStream(stream, leaveInnerStreamOpen: true);
                    await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                    {
                        ServerCertificate = factory.Certificate,
                        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    }, timeout.Token);
                    await ssl.WriteAsync(Draining, timeout.Token);
                }
                else
                {
                    await stream.WriteAsync(Draining);
                }

                client.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or IOException or AuthenticationException or OperationCanceledException)
            {
            }
            finally
            {
                client.Dispose();
            }
        }

        static async Task RefuseAsync(Socket client)
        {
            try
            {
                // On the implicit-TLS port this plaintext line is unreadable to the client; the close still tells it.
                await client.SendAsync(TooMany);
                client.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
            }
            finally
            {
                client.Dispose();
            }
        }
    }
}
