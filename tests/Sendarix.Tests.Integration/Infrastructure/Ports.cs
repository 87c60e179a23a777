using System.Net;
using System.Net.Sockets;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>Free TCP ports on loopback, for servers whose port must be known before they start.</summary>
internal static class Ports
{
    // Below Linux's ephemeral range (32768-60999): a port handed out here is not taken meanwhile by an outgoing
    // connection's local port, which is what a port picked by binding to port 0 risks.
    const int First = 20000;
    const int Last = 32000;

    // A port is free until its server binds it: never hand the same one out twice in a test run, or two settings of
    // one relay (say, its feedback and submission ports) could get the same number.
    static readonly HashSet<int> HandedOut = [];

    public static int Free(IPAddress? address = null)
    {
        while (true)
        {
            var port = Random.Shared.Next(First, Last);
            lock (HandedOut)
            {
                if (!HandedOut.Add(port))
                {
                    continue;
                }
            }

            try
            {
                using var listener = new TcpListener(address ?? IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: try another.
            }
        }
    }

    public static async Task WaitListeningAsync(IPAddress address, int port, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(address, port, cts.Token);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, cts.Token);
            }
        }
    }
}
