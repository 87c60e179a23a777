using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Sendarix.Delivery.Transport;

/// <summary>
/// Open connections to destination hosts, reused across messages, with a cap on connections per host address.
/// </summary>
internal sealed class ConnectionPool(IOptions<DeliveryOptions> options, TimeProvider time) : IDisposable
{
    readonly ConcurrentDictionary<string, Host> _hosts = new();

    public async Task<Lease> AcquireAsync(string key, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var host = _hosts.GetOrAdd(key, _ => new Host(new SemaphoreSlim(o.MaxConnectionsPerHost), new ConcurrentStack<RelaySmtpClient>()));
        await host.Slots.WaitAsync(cancellationToken);
        while (host.Idle.TryPop(out var client))
        {
            if (client.IsConnected && time.GetElapsedTime(client.IdleSince) < o.IdleConnectionTimeout && client.MessagesSent < o.MessagesPerConnection)
            {
                return new Lease(this, host, client);
            }

            Close(client);
        }

        return new Lease(this, host, new RelaySmtpClient());
    }

    /// <summary>Closes connections unused for longer than the idle timeout.</summary>
    public void Sweep()
    {
        var limit = options.Value.IdleConnectionTimeout;
        foreach (var host in _hosts.Values)
        {
            var keep = new List<RelaySmtpClient>();
            while (host.Idle.TryPop(out var client))
            {
                if (client.IsConnected && time.GetElapsedTime(client.IdleSince) < limit)
                {
                    keep.Add(client);
                }
                else
                {
                    Close(client);
                }
            }

            foreach (var client in keep)
            {
                host.Idle.Push(client);
            }
        }
    }

    public void Dispose()
    {
        foreach (var host in _hosts.Values)
        {
            while (host.Idle.TryPop(out var client))
            {
                Close(client);
            }
        }
    }

    void Return(Host host, RelaySmtpClient client, bool reusable)
    {
        if (reusable && client.IsConnected)
        {
            client.IdleSince = time.GetTimestamp();
            host.Idle.Push(client);
        }
        else
        {
            Close(client);
        }

        host.Slots.Release();
    }

    static void Close(RelaySmtpClient client)
    {
        _ = Task.Run(async () =>
        {
            try
            {
                if (client.IsConnected)
                {
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    await client.DisconnectAsync(true, cts.Token);
                }
            }
            catch (Exception)
            {
                // QUIT is a courtesy; the connection is going away either way.
            }
            finally
            {
                client.Dispose();
            }
        });
    }

    internal sealed record Host(SemaphoreSlim Slots, ConcurrentStack<RelaySmtpClient> Idle);

    /// <summary>A connection on loan; return it with whether it can carry another message.</summary>
    public sealed class Lease(ConnectionPool pool, Host host, RelaySmtpClient client)
    {
        int _returned;

        public RelaySmtpClient Client => client;

        public void Return(bool reusable)
        {
            if (Interlocked.Exchange(ref _returned, 1) == 0)
            {
                pool.Return(host, client, reusable);
            }
        }
    }
}
