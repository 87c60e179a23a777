using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Sendarix.Contracts.Shaping;
using Sendarix.Core.Providers;
using Sendarix.Delivery.Shaping;

namespace Sendarix.Delivery.Transport;

/// <summary>
/// Open connections to destination hosts, reused across messages. Per silo, connections per host address are capped;
/// across the cluster, every connection holds a lease from its (provider, egress IP) throttle grain, so the provider's
/// connection limit holds however many silos send. A connection is reused up to the provider's messages per connection.
/// </summary>
internal sealed class ConnectionPool(IOptions<DeliveryOptions> options, IOptions<ShapingOptions> shaping, TimeProvider time) : IDisposable
{
    // How often a delivery waiting for a connection slot asks again.
    static readonly TimeSpan SlotPoll = TimeSpan.FromMilliseconds(100);

    readonly ConcurrentDictionary<string, Host> _hosts = new();

    /// <summary>
    /// A connection for <paramref name="key"/>: an idle one when there is one, else a new (unconnected) client once the
    /// throttle grants a lease. Throws <see cref="ThrottledException"/> when no slot comes before <paramref name="deadline"/>.
    /// </summary>
    public async Task<Lease> AcquireAsync(string key, IThrottleGrain throttle, ProviderProfile profile, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var host = _hosts.GetOrAdd(key, _ => new Host(new SemaphoreSlim(o.MaxConnectionsPerHost), new ConcurrentStack<RelaySmtpClient>()));
        var wait = deadline - time.GetUtcNow();
        if (wait <= TimeSpan.Zero || !await host.Slots.WaitAsync(wait, cancellationToken))
        {
            throw new ThrottledException($"all {o.MaxConnectionsPerHost} connections of this node to the host are busy");
        }

        var leaseId = Guid.NewGuid().ToString("N");
        var waiting = false;
        try
        {
            while (true)
            {
                if (await ReuseAsync(host, profile) is { } idle)
                {
                    await StopWaitingAsync();
                    return new Lease(this, host, idle);
                }

                if (await throttle.TryOpenAsync(leaseId, profile.ConnectionsPerIp))
                {
                    return new Lease(this, host, new RelaySmtpClient { Throttle = throttle, LeaseId = leaseId, LeaseRenewedAt = time.GetTimestamp() });
                }

                waiting = true;
                if (time.GetUtcNow() + SlotPoll > deadline)
                {
                    throw new ThrottledException($"the provider's {profile.ConnectionsPerIp} connections are all open across the cluster");
                }

                await Task.Delay(SlotPoll, time, cancellationToken);
            }
        }
        catch
        {
            host.Slots.Release();
            // Also a lease the throttle may have granted to a call that then failed on the way back.
            waiting = true;
            await StopWaitingAsync();
            throw;
        }

        // A caller that stops waiting gives up its place in the throttle's line at once, not after the waiter timeout.
        async Task StopWaitingAsync()
        {
            if (waiting)
            {
                waiting = false;
                try
                {
                    await throttle.CloseAsync(leaseId);
                }
                catch (Exception)
                {
                    // The place (or lease) lapses by itself.
                }
            }
        }
    }

    /// <summary>An idle connection still fit to carry a message, its lease renewed when it is getting old.</summary>
    async Task<RelaySmtpClient?> ReuseAsync(Host host, ProviderProfile profile)
    {
        var o = options.Value;
        while (host.Idle.TryPop(out var client))
        {
            if (!client.IsConnected || time.GetElapsedTime(client.IdleSince) >= o.IdleConnectionTimeout || client.MessagesSent >= profile.MessagesPerConnection)
            {
                Close(client);
                continue;
            }

            if (time.GetElapsedTime(client.LeaseRenewedAt) > shaping.Value.ConnectionLease / 2)
            {
                bool renewed;
                try
                {
                    renewed = client.Throttle is null || await client.Throttle.TryOpenAsync(client.LeaseId!, profile.ConnectionsPerIp);
                }
                catch
                {
                    Close(client);
                    throw;
                }

                if (!renewed)
                {
                    // The lease lapsed and the slot went to another silo: this connection must go.
                    client.Throttle = null;
                    Close(client);
                    continue;
                }

                client.LeaseRenewedAt = time.GetTimestamp();
            }

            return client;
        }

        return null;
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

            try
            {
                if (client.Throttle is { } throttle)
                {
                    await throttle.CloseAsync(client.LeaseId!);
                }
            }
            catch (Exception)
            {
                // The lease expires by itself.
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

/// <summary>The relay's own limits held a delivery back longer than <see cref="ShapingOptions.ThrottleWait"/>.</summary>
internal sealed class ThrottledException(string reason) : Exception(reason);
