using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>
/// An HTTPS server for MTA-STS policy files: a certificate from <see cref="TestCa"/> for the "mta-sts." host names, and
/// for each GET the policy of the host the request names.
/// </summary>
internal sealed class PolicyServer : IAsyncDisposable
{
    readonly TcpListener _listener;
    readonly CancellationTokenSource _stop = new();
    readonly Task _serving;
    readonly IReadOnlyDictionary<string, string> _policies;
    readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _certificate;

    /// <param name="policies">Policy text by host name ("mta-sts.example.test").</param>
    public PolicyServer(IPAddress address, IReadOnlyDictionary<string, string> policies)
    {
        _policies = policies;
        _certificate = TestCa.Issue([.. policies.Keys]);
        _listener = new TcpListener(address, 0);
        _listener.Start();
        _serving = ServeAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Requests served, by host.</summary>
    public int Requests;

    async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using var _ = client;
                try
                {
                    await using var ssl = new SslStream(client.GetStream());
                    await ssl.AuthenticateAsServerAsync(_certificate);
                    var request = new StringBuilder();
                    var buffer = new byte[4096];
                    while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                    {
                        var read = await ssl.ReadAsync(buffer, _stop.Token);
                        if (read == 0)
                        {
                            return;
                        }

                        request.Append(Encoding.ASCII.GetString(buffer, 0, read));
                    }

                    var host = request.ToString().Split("\r\n").First(l => l.StartsWith("Host:", StringComparison.OrdinalIgnoreCase))[5..].Trim().Split(':')[0];
                    Interlocked.Increment(ref Requests);
                    var body = _policies.TryGetValue(host, out var policy) ? policy : null;
                    var response = body is null
                        ? "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        : $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {Encoding.ASCII.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
                    await ssl.WriteAsync(Encoding.ASCII.GetBytes(response), _stop.Token);
                }
                catch (Exception ex) when (ex is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
                {
                }
            });
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _serving;
        }
        catch (OperationCanceledException)
        {
        }
    }
}
