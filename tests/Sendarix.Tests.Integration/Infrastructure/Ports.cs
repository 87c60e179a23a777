using System.Net;
using System.Net.Sockets;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>Free TCP ports on loopback, for servers whose port must be known before they start.</summary>
internal static class Ports
{
    public static int Free(IPAddress? address = null)
    {
        using var listener = new TcpListener(address ?? IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
