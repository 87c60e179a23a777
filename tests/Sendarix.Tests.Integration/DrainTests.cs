using System.Net;
using Sendarix.Core.Smtp;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// Graceful shutdown: a front-end tells new sessions 421 4.3.2 and lets a transaction in progress finish; a delivery
/// worker hands back the work it had not finished, so another node takes it at once.
/// </summary>
public sealed class DrainTests
{
    [Fact]
    public async Task On_shutdown_new_and_idle_sessions_get_421_and_a_transaction_in_progress_finishes_and_is_delivered()
    {
        await using var sink = new SmtpSink(IPAddress.Loopback);
        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Sendarix:Delivery:Routes:0:Domain"] = "*";
        settings["Sendarix:Delivery:Routes:0:Hosts:0"] = sink.HostPort;
        settings["Sendarix:Smtp:DrainTimeout"] = "00:00:30";
        var relay = await Relay.StartAsync(settings);
        var tenant = await relay.CreateTenantAsync();
        var to = $"drain-{Guid.NewGuid():N}@sink.test";
        string? queued;
        await using (relay)
        {
            await using var busy = await RawSmtp.ConnectAsync(relay.StartTlsPort);
            await busy.SecureAsync();
            await busy.LoginAsync(tenant);
            Assert.StartsWith("250 2.1.0", await busy.CommandAsync($"MAIL FROM:<{busy.From}>"));
            Assert.StartsWith("250 2.1.5", await busy.CommandAsync($"RCPT TO:<{to}>"));

            await using var idle = await RawSmtp.ConnectAsync(relay.StartTlsPort);
            await idle.SecureAsync();
            await idle.LoginAsync(tenant);

            var stopping = relay.StopAsync();

            // A session between transactions is told at once and closed.
            Assert.Equal([ReplyRewriter.Draining], await idle.ReadReplyAsync());
            Assert.True(await idle.IsClosedAsync(TimeSpan.FromSeconds(10)));

            // New connections are refused on both ports, over TLS on the implicit-TLS one.
            await using (var late = await RawSmtp.ConnectAsync(relay.StartTlsPort))
            {
                Assert.Equal(ReplyRewriter.Draining, late.Greeting);
                Assert.True(await late.IsClosedAsync(TimeSpan.FromSeconds(10)));
            }

            await using (var lateTls = await RawSmtp.ConnectAsync(relay.ImplicitTlsPort, implicitTls: true))
            {
                Assert.Equal(ReplyRewriter.Draining, lateTls.Greeting);
            }

            // The transaction in progress holds the shutdown until it is done, then its session ends too.
            Assert.False(stopping.IsCompleted);
            Assert.StartsWith("354", await busy.CommandAsync("DATA"));
            await busy.SendAsync(Mail.Sample(busy.From, to, "During the drain"));
            var accepted = await busy.CommandAsync(".");
            Assert.StartsWith("250 2.0.0", accepted);
            queued = Mail.QueuedId(accepted);
            Assert.Equal([ReplyRewriter.Draining], await busy.ReadReplyAsync());
            Assert.True(await busy.IsClosedAsync(TimeSpan.FromSeconds(10)));
            await stopping.WaitAsync(TimeSpan.FromSeconds(30));
        }

        // The message accepted during the drain is durable: the next start delivers it, if this one had not yet.
        await using var restarted = await Relay.StartAsync(settings);
        await restarted.WaitForStatusAsync(queued, TimeSpan.FromSeconds(60), "delivered");
        Assert.Single(sink.Messages, m => m.Recipients.Contains(to));
    }

    [Fact]
    public async Task A_stopping_delivery_worker_hands_back_an_unfinished_attempt_at_once_not_after_its_lease()
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var sink = new SmtpSink(IPAddress.Loopback) { BeforeDataReply = () => hold.Task };
        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Sendarix:Delivery:Routes:0:Domain"] = "*";
        settings["Sendarix:Delivery:Routes:0:Hosts:0"] = sink.HostPort;
        // Work not handed back would stay hidden for ten minutes.
        settings["Sendarix:Delivery:QueueVisibilityTimeout"] = "00:10:00";
        settings["Sendarix:Delivery:CommandTimeout"] = "00:10:00";
        string id;
        await using (var first = await Relay.StartAsync(settings))
        {
            var tenant = await first.CreateTenantAsync();
            id = await first.SubmitAsync(tenant, [$"handback-{Guid.NewGuid():N}@sink.test"], "Handed back");
            await Eventually.TrueAsync(() => Task.FromResult(sink.DataReceived >= 1), TimeSpan.FromSeconds(30), "the attempt to be waiting for the reply to its data");
            await first.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        hold.TrySetResult();
        await using var second = await Relay.StartAsync(settings);
        await second.WaitForStatusAsync(id, TimeSpan.FromSeconds(60), "delivered");
    }
}
