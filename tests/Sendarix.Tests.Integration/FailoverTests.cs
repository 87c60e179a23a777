using System.Diagnostics;
using System.Net;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// A route with two smarthosts: the primary is killed under load, traffic moves to the secondary within 10 s and no
/// message is lost; when the primary comes back, traffic returns to it.
/// </summary>
public sealed class FailoverTests : IAsyncLifetime
{
    static readonly IPAddress PrimaryAddress = IPAddress.Parse("127.0.0.10"), SecondaryAddress = IPAddress.Parse("127.0.0.11");
    SmtpSink _primary = null!;
    SmtpSink _secondary = null!;
    Relay _relay = null!;
    int _primaryPort;

    public async Task InitializeAsync()
    {
        _primary = new SmtpSink(PrimaryAddress);
        _primaryPort = _primary.EndPoint.Port;
        _secondary = new SmtpSink(SecondaryAddress);
        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Sendarix:Delivery:Routes:0:Domain"] = "failover.test";
        settings["Sendarix:Delivery:Routes:0:Hosts:0"] = _primary.HostPort;
        settings["Sendarix:Delivery:Routes:0:Hosts:1"] = _secondary.HostPort;
        _relay = await Relay.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _relay.DisposeAsync();
        await _primary.DisposeAsync();
        await _secondary.DisposeAsync();
    }

    [Fact]
    public async Task Killing_the_primary_smarthost_moves_traffic_within_ten_seconds_and_loses_nothing()
    {
        var tenant = await _relay.CreateTenantAsync();
        using var stop = new CancellationTokenSource();
        var ids = new List<string>();
        var sending = Task.Run(async () =>
        {
            using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
            await client.ConnectAsync("127.0.0.1", _relay.StartTlsPort, SecureSocketOptions.StartTls);
            await client.AuthenticateAsync(tenant.Username, tenant.Secret);
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var message = new MimeMessage();
                message.From.Add(MailboxAddress.Parse(tenant.Sender));
                message.To.Add(MailboxAddress.Parse($"load{i}-{Guid.NewGuid():N}@failover.test"));
                message.Subject = $"failover {i}";
                message.Body = new TextPart("plain") { Text = "under load" };
                var id = Mail.QueuedId(await client.SendAsync(message));
                lock (ids)
                {
                    ids.Add(id);
                }

                await Task.Delay(50);
            }

            await client.DisconnectAsync(true);
        });

        await _primary.WaitForMessagesAsync(10, TimeSpan.FromSeconds(30));
        var killed = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        await _primary.DisposeAsync();

        var moved = await Eventually.GetAsync(() => Task.FromResult(_secondary.Messages.ToList()), m => m.Count > 0, TimeSpan.FromSeconds(10), "traffic at the secondary");
        var movedAfter = moved.Min(m => m.ReceivedAt) - killed;
        var primaryBefore = await PrimaryCountAsync();

        // The primary comes back on the same address: traffic returns to it once a probe finds it well.
        _primary = new SmtpSink(PrimaryAddress, _primaryPort);
        await _primary.WaitForMessagesAsync(1, TimeSpan.FromSeconds(20));
        var returnedAfter = clock.Elapsed;
        await stop.CancelAsync();
        await sending;

        List<string> all;
        lock (ids)
        {
            all = ids.ToList();
        }

        foreach (var id in all)
        {
            await _relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(60), "delivered");
        }

        var delivered = primaryBefore + _primary.Messages.Count + _secondary.Messages.Count;
        Console.WriteLine($"failover: {all.Count} messages; first at the secondary {movedAfter.TotalSeconds:F2} s after the kill; " +
                          $"back at the primary {returnedAfter.TotalSeconds:F1} s after the kill; {delivered} deliveries in all");
        Assert.True(movedAfter <= TimeSpan.FromSeconds(10), $"moved after {movedAfter.TotalSeconds:F1} s");
        Assert.True(delivered >= all.Count, $"{delivered} deliveries for {all.Count} messages");
    }

    [Fact]
    public async Task A_primary_that_hangs_after_its_greeting_is_found_unhealthy_and_skipped()
    {
        await _primary.DisposeAsync();
        _primary = new SmtpSink(PrimaryAddress, _primaryPort) { HangAfterGreeting = true };
        var tenant = await _relay.CreateTenantAsync();
        var clock = Stopwatch.StartNew();
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var to = $"hang{i}-{Guid.NewGuid():N}@failover.test";
            ids.Add(await _relay.SubmitAsync(tenant, [to], "hung primary"));
        }

        foreach (var id in ids)
        {
            await _relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "delivered");
        }

        Console.WriteLine($"hung primary: 5 messages delivered by the secondary {clock.Elapsed.TotalSeconds:F1} s after the first was sent");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"{clock.Elapsed.TotalSeconds:F1} s");
        Assert.Empty(_primary.Messages);
    }

    [Fact]
    public async Task A_primary_answering_421_to_the_transaction_hands_it_to_the_next_endpoint_at_once()
    {
        await _primary.DisposeAsync();
        _primary = new SmtpSink(PrimaryAddress, _primaryPort) { RcptReply = _ => "421 4.3.2 Shutting down, try another server" };
        var tenant = await _relay.CreateTenantAsync();
        var to = $"busy-{Guid.NewGuid():N}@failover.test";
        var id = await _relay.SubmitAsync(tenant, [to], "421 primary");

        var view = await _relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "delivered");
        var events = view.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["accepted", "delivered"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.EndsWith($"[{SecondaryAddress}]:{_secondary.EndPoint.Port}", events[1].GetProperty("remoteHost").GetString());
        Assert.Empty(_primary.Messages);
    }

        // Messages the first primary took before it was killed (its sink object is gone once replaced).
    Task<int> PrimaryCountAsync() => Task.FromResult(_primary.Messages.Count);
}
