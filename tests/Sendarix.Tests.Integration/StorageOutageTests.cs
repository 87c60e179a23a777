using System.Diagnostics;
using System.Net;
using Azure.Storage.Queues;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Sendarix.Tests.Integration.Infrastructure;
using Xunit.Abstractions;

namespace Sendarix.Tests.Integration;

/// <summary>
/// Storage goes away under a running relay: submissions get a temporary failure (never 250, never a permanent 5xx),
/// and once storage is back the same relay accepts again, delivers what it accepted and nothing it refused.
/// </summary>
public sealed class StorageOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    static readonly TimeSpan Recovery = TimeSpan.FromSeconds(60);
    static readonly TimeSpan Delivery = TimeSpan.FromSeconds(60);

    // Its own Azurite: this test stops it, which the shared one must never be.
    readonly AzuriteServer _azurite = new();
    readonly SmtpSink _sink = new(IPAddress.Loopback);
    Relay? _relay;

    Relay Relay => _relay!;

    public async Task InitializeAsync()
    {
        await _azurite.StartAsync();
        var settings = Relay.DefaultSettings(_azurite.ConnectionString);
        settings["Sendarix:Delivery:Routes:0:Domain"] = "*";
        settings["Sendarix:Delivery:Routes:0:Hosts:0"] = _sink.HostPort;
        // Short enough that stalls of a few seconds time commits out, and that work whose deletion a stall
        // interrupted comes back (and is counted) within the test.
        settings["Sendarix:Acceptance:CommitTimeout"] = "00:00:01.500";
        settings["Sendarix:Acceptance:UnconfirmedHold"] = "00:00:05";
        settings["Sendarix:Delivery:QueueVisibilityTimeout"] = "00:00:10";
        _relay = await Relay.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        if (_relay is not null)
        {
            await _relay.DisposeAsync();
        }

        await _sink.DisposeAsync();
        await _azurite.DisposeAsync();
    }

    [Fact]
    public async Task Submissions_get_451_while_storage_is_down_and_succeed_again_once_it_is_back_without_a_restart()
    {
        var tenant = await Relay.CreateTenantAsync("Outage");
        var accepted = new Dictionary<string, string>();   // marker -> queued id
        var refused = new List<string>();                   // markers that got a 4xx
        var clock = Stopwatch.StartNew();

        // Before the outage: one message on a connection that stays open throughout.
        using var open = await ConnectAsync(tenant);
        var first = Marker("before");
        accepted[first] = Mail.QueuedId(await open.SendAsync(Message(first, tenant)));
        // Let it finish delivery, so no delivery is half-recorded when storage goes away: recorded delivered, and its
        // work message deleted (the round's last step; one left behind would be delivered again after the outage).
        await Relay.WaitForStatusAsync(accepted[first], Delivery, "delivered");
        var work = new QueueClient(_azurite.ConnectionString, $"{Relay.Settings["Sendarix:Storage:Prefix"]}-delivery");
        await Eventually.TrueAsync(async () => (await work.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, Delivery,
            "the delivery round to delete its work message");

        await _azurite.StopAsync();
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: storage stopped");

        // The node is alive but not ready: a load balancer would take it out of rotation.
        using var http = new HttpClient { BaseAddress = Relay.Api.BaseAddress };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/alive")).StatusCode);
        var unready = await Relay.ReadAsync(await http.GetAsync("/health/ready"), HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Unhealthy", unready.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString());

        // Both at once (each waits out the storage client's retries): a new connection, and the one opened before.
        var onNew = Marker("down-new");
        var onSame = Marker("down-same");
        async Task<Reply> Logged(string what, Task<Reply> submission)
        {
            var reply = await submission;
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {what} while down: {reply}");
            return reply;
        }

        var newSubmission = Logged("new connection", TrySubmitOnNewConnectionAsync(tenant, onNew));
        var sameSubmission = Logged("open connection", TrySubmitAsync(open, onSame, tenant));
        var newReply = await newSubmission;
        var sameReply = await sameSubmission;
        refused.Add(onNew);
        refused.Add(onSame);

        // The new connection: a 4xx somewhere (451 at the end of DATA, or 454 at AUTH), never 2xx or 5xx.
        Assert.True(newReply.Code is >= 400 and < 500, $"A submission on a new connection while storage is down got '{newReply}', not a 4xx.");
        // The open connection: the end of DATA must get 451 4.3.0.
        Assert.True(sameReply.Code is >= 400 and < 500, $"A submission on the open connection while storage is down got '{sameReply}', not a 4xx.");
        Assert.Equal(451, sameReply.Code);
        Assert.StartsWith("4.3.0", sameReply.Text);

        await _azurite.StartAsync();
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: storage started again");
        await Eventually.TrueAsync(async () => (await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, Recovery, "the node to be ready again");

        // The same relay, not restarted, must accept again; until it does, every answer is still a 4xx.
        var attempts = 0;
        var recovered = await Eventually.GetAsync(async () =>
        {
            var marker = Marker($"after-{++attempts}");
            var reply = await TrySubmitOnNewConnectionAsync(tenant, marker);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: new connection after restart: {reply}");
            Assert.True(reply.Code is 250 or (>= 400 and < 500), $"While recovering, a submission got '{reply}': neither 250 nor a 4xx.");
            if (reply.Code == 250)
            {
                accepted[marker] = Mail.QueuedId(reply.Text);
            }
            else
            {
                refused.Add(marker);
            }

            return reply;
        }, r => r.Code == 250, Recovery, "a 250 from the relay after storage came back");
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: recovered after {attempts} attempt(s): {recovered}");

        // The connection that saw the 451 can send again too.
        var again = Marker("after-same");
        var againReply = await TrySubmitAsync(open, again, tenant);
        Assert.True(againReply.Code == 250, $"The connection that got 451 during the outage got '{againReply}' once storage was back.");
        accepted[again] = Mail.QueuedId(againReply.Text);
        await open.DisconnectAsync(true);

        // Everything that got 250 reaches the destination once, and the API lists exactly those messages.
        foreach (var id in accepted.Values)
        {
            await Relay.WaitForStatusAsync(id, Delivery, "delivered");
        }

        var delivered = await Eventually.GetAsync(() => Task.FromResult(_sink.Messages.ToList()),
            m => accepted.Keys.All(marker => m.Any(x => x.Text.Contains(marker, StringComparison.Ordinal))),
            Delivery, "every accepted message at the sink");
        foreach (var marker in accepted.Keys)
        {
            Assert.Single(delivered, m => m.Text.Contains(marker, StringComparison.Ordinal));
        }

        foreach (var marker in refused)
        {
            Assert.DoesNotContain(delivered, m => m.Text.Contains(marker, StringComparison.Ordinal));
        }

        // Search shows a message once its delivery round is recorded, just after the sink has it.
        var listed = (await Eventually.GetAsync(() => Relay.SearchIdsAsync(tenant.TenantId), ids => ids.ToHashSet().SetEquals(accepted.Values), Delivery,
            "every accepted message listed")).ToHashSet();
        Assert.True(listed.SetEquals(accepted.Values),
            $"The API lists [{string.Join(", ", listed.Order())}] but the accepted messages are [{string.Join(", ", accepted.Values.Order())}].");
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {accepted.Count} accepted and delivered, {refused.Count} refused with 4xx and not delivered or listed");
    }

    [Fact]
    public async Task Under_load_storage_stalls_deliver_nothing_that_got_a_4xx_and_everything_that_got_250()
    {
        const int Connections = 6;
        const int Stalls = 6;
        var tenant = await Relay.CreateTenantAsync("Stalls");
        var accepted = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        var refused = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();

        async Task LoadAsync(int connection)
        {
            SmtpClient? client = null;
            try
            {
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    if (client is not { IsConnected: true })
                    {
                        client?.Dispose();
                        client = NewClient();
                        try
                        {
                            await client.ConnectAsync("127.0.0.1", Relay.StartTlsPort, SecureSocketOptions.StartTls);
                            await client.AuthenticateAsync(tenant.Username, tenant.Secret);
                        }
                        catch (Exception ex) when (ReplyOf(ex) is { Code: >= 400 and < 500 })
                        {
                            continue;
                        }
                    }

                    var marker = Marker($"load-{connection}-{n}");
                    var reply = await TrySubmitAsync(client, marker, tenant);
                    Assert.True(reply.Code is 250 or (>= 400 and < 500), $"Under stalls a submission got '{reply}': neither 250 nor a 4xx.");
                    (reply.Code == 250 ? accepted : refused)[marker] = reply.Text;
                }
            }
            finally
            {
                client?.Dispose();
            }
        }

        var load = Enumerable.Range(0, Connections).Select(LoadAsync).ToList();
        for (var stall = 0; stall < Stalls; stall++)
        {
            var acceptedBefore = accepted.Count;
            await Eventually.TrueAsync(() => Task.FromResult(accepted.Count >= acceptedBefore + 20), TimeSpan.FromSeconds(60), "20 more messages accepted");
            var refusedBefore = refused.Count;
            await _azurite.PauseAsync();
            // Frozen until commits time out and their senders are answered 4xx, with writes left waiting in the sockets.
            await Eventually.TrueAsync(() => Task.FromResult(refused.Count > refusedBefore), TimeSpan.FromSeconds(60), "a 4xx during the stall");
            await _azurite.ResumeAsync();
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: stall {stall + 1}: {accepted.Count} accepted, {refused.Count} refused so far");
        }

        await stop.CancelAsync();
        await Task.WhenAll(load);

        // Everything that got 250 arrives; then the queue drains, held work included (it shows after its hold).
        var delivered = await Eventually.GetAsync(() => Task.FromResult(_sink.Messages.ToList()),
            m => accepted.Keys.All(marker => m.Any(x => x.Text.Contains(marker, StringComparison.Ordinal))),
            TimeSpan.FromSeconds(120), "every accepted message at the sink");
        var queue = new Azure.Storage.Queues.QueueClient(_azurite.ConnectionString, $"{Relay.Settings["Sendarix:Storage:Prefix"]}-delivery");
        await Eventually.TrueAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0,
            TimeSpan.FromSeconds(120), "the delivery queue to drain");
        delivered = _sink.Messages.ToList();

        var markers = delivered.Select(m => System.Text.RegularExpressions.Regex.Match(m.Text, "outage-load-[0-9]+-[0-9]+-[0-9a-f]{32}").Value).ToList();
        var deliveredRefused = refused.Keys.Where(markers.Contains).ToList();
        var duplicates = markers.GroupBy(m => m).Count(g => g.Count() > 1);
        output.WriteLine($"{accepted.Count} got 250, {refused.Count} got 4xx; {deliveredRefused.Count} of the 4xx delivered, {duplicates} delivered twice");
        Assert.True(deliveredRefused.Count == 0,
            $"{deliveredRefused.Count} of {refused.Count} messages answered 4xx were delivered: {string.Join(", ", deliveredRefused.Take(5))}");
        Assert.All(accepted.Keys, marker => Assert.Contains(marker, markers));
    }

    static string Marker(string stage) => $"outage-{stage}-{Guid.NewGuid():N}";

    static MimeMessage Message(string marker, TenantCredential tenant)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(tenant.Sender));
        message.To.Add(MailboxAddress.Parse($"{marker}@sink.test"));
        message.Subject = marker;
        message.Body = new TextPart("plain") { Text = $"Marker: {marker}\r\n" };
        return message;
    }

    // The relay answers 451 once the batch's commit time-out or the storage client's retries end: give it time.
    static SmtpClient NewClient() => new() { ServerCertificateValidationCallback = (_, _, _, _) => true, Timeout = 180_000 };

    async Task<SmtpClient> ConnectAsync(TenantCredential tenant)
    {
        var client = NewClient();
        await client.ConnectAsync("127.0.0.1", Relay.StartTlsPort, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync(tenant.Username, tenant.Secret);
        return client;
    }

    /// <summary>Connect, STARTTLS, AUTH and send; the first reply that is not a success, or the 250.</summary>
    async Task<Reply> TrySubmitOnNewConnectionAsync(TenantCredential tenant, string marker)
    {
        using var client = NewClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", Relay.StartTlsPort, SecureSocketOptions.StartTls);
            await client.AuthenticateAsync(tenant.Username, tenant.Secret);
        }
        catch (Exception ex) when (ReplyOf(ex) is { } reply)
        {
            return reply;
        }

        var result = await TrySubmitAsync(client, marker, tenant);
        if (client.IsConnected)
        {
            await client.DisconnectAsync(true);
        }

        return result;
    }

    static async Task<Reply> TrySubmitAsync(SmtpClient client, string marker, TenantCredential tenant)
    {
        try
        {
            var text = await client.SendAsync(Message(marker, tenant));
            return new Reply(250, text);
        }
        catch (SmtpCommandException ex)
        {
            return new Reply((int)ex.StatusCode, ex.Message);
        }
    }

    /// <summary>The server's reply behind a MailKit failure before DATA (a refused AUTH), if there was one.</summary>
    static Reply? ReplyOf(Exception ex) => ex switch
    {
        SmtpCommandException command => new Reply((int)command.StatusCode, command.Message),
        AuthenticationException { InnerException: SmtpCommandException command } => new Reply((int)command.StatusCode, command.Message),
        AuthenticationException auth when auth.Message.Length >= 3 && int.TryParse(auth.Message.AsSpan(0, 3), out var code) => new Reply(code, auth.Message),
        _ => null,
    };

    sealed record Reply(int Code, string Text)
    {
        public override string ToString() => $"{Code} {Text}";
    }
}
