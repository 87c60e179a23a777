using System.Diagnostics;
using System.Net;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Logging;
using MailKit.Security;
using MimeKit;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// A delivery round that lasts several visibility timeouts keeps its work message from the other readers, as its
/// lease is extended: the destination answers the data only after three timeouts, and no second attempt starts.
/// (The crash test shows the other side: work of a killed node is taken up within one timeout.)
/// </summary>
public sealed class WorkLeaseTests : IAsyncLifetime
{
    static readonly TimeSpan Visibility = TimeSpan.FromSeconds(5);
    readonly SmtpSink _sink = new(IPAddress.Loopback);
    readonly TaskCompletionSource _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly LogCapture _logs = new();
    Relay _relay = null!;

    public async Task InitializeAsync()
    {
        _sink.BeforeDataReply = () => _answer.Task;
        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Sendarix:Delivery:Routes:0:Domain"] = "lease.test";
        settings["Sendarix:Delivery:Routes:0:Hosts:0"] = _sink.HostPort;
        // The destination may take its time (the tests' default gives up after 3 s, and retries).
        settings["Sendarix:Delivery:CommandTimeout"] = "00:05:00";
        settings["Sendarix:Delivery:QueueVisibilityTimeout"] = $"00:00:{Visibility.Seconds:D2}";
        _relay = await Relay.StartAsync(settings, logs: _logs);
    }

    public async Task DisposeAsync()
    {
        _answer.TrySetResult();
        await _relay.DisposeAsync();
        await _sink.DisposeAsync();
    }

    [Fact]
    public async Task A_round_longer_than_the_visibility_timeout_keeps_its_work_from_other_readers()
    {
        var tenant = await _relay.CreateTenantAsync();
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", _relay.StartTlsPort, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync(tenant.Username, tenant.Secret);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(tenant.Sender));
        message.To.Add(MailboxAddress.Parse("slow@lease.test"));
        message.Subject = "a slow destination";
        message.Body = new TextPart("plain") { Text = "held while the destination thinks" };
        var id = Mail.QueuedId(await client.SendAsync(message));

        await Eventually.TrueAsync(() => Task.FromResult(_sink.DataReceived >= 1), TimeSpan.FromSeconds(30), "the data at the destination");
        var held = Stopwatch.StartNew();

        // Without its lease extended, the message shows again after one timeout, a reader takes it and sends it again.
        await Eventually.TrueAsync(() => Task.FromResult(_sink.DataReceived > 1 || held.Elapsed > 3 * Visibility), TimeSpan.FromSeconds(60),
            "three visibility timeouts, or a second attempt");
        Assert.True(_sink.DataReceived == 1, "Attempted again while the first attempt went on; the relay's warnings:\n"
            + string.Join("\n", _logs.Lines.Where(l => l.Level >= LogLevel.Warning && l.Category.StartsWith("Sendarix", StringComparison.Ordinal))));

        _answer.SetResult();
        await _relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "delivered");
        Assert.Single(_sink.Messages);
        Assert.Equal(1, _sink.DataReceived);
    }
}
