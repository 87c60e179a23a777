using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Azure.Storage.Queues;
using MailKit.Net.Smtp;
using MailKit.Security;
using Sendarix.Tests.Integration.Infrastructure;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Sendarix.Tests.Integration;

/// <summary>
/// The relay process is killed (SIGKILL) under load and started again on the same storage: every message that got
/// 250 before the kill is delivered afterwards, and its accepted and delivered events reach the tenant's webhook
/// endpoint, all within a minute of the restart with the default settings. Duplicates are allowed (at-least-once) and
/// reported.
/// </summary>
[Collection(CrashCollection.Name)]
public sealed class CrashTests(ITestOutputHelper output) : IAsyncLifetime
{
    const int Clients = 20;
    const int AcceptedBeforeKill = 300;
    static readonly TimeSpan Startup = TimeSpan.FromSeconds(120);
    static readonly TimeSpan LoadTime = TimeSpan.FromSeconds(120);
    static readonly TimeSpan DeliveryTime = TimeSpan.FromSeconds(120);

    // Work the killed process held shows again within the default visibility timeout (30 s), not after the longest a
    // round could take.
    static readonly TimeSpan RecoveryTime = TimeSpan.FromSeconds(60);

    // Its own Azurite, never killed: it is not crash-durable, and the relay is what is under test.
    readonly AzuriteServer _azurite = new();
    readonly Dnsmasq _dns = new();
    readonly SmtpSink _sink = new(IPAddress.Loopback);
    const string HooksHost = "hooks.crash.test";
    WebhookReceiver _hooks = null!;
    Dictionary<string, string?> _settings = null!;
    RelayProcess _relay = null!;

    public async Task InitializeAsync()
    {
        await _azurite.StartAsync();
        _hooks = await WebhookReceiver.StartAsync(HooksHost);
        await _dns.StartAsync([$"--host-record={HooksHost},127.0.0.1"]);
        _settings = Relay.DefaultSettings(_azurite.ConnectionString);
        _settings["Sendarix:Webhooks:AllowPrivateAddresses"] = "true";
        _settings["Sendarix:Webhooks:TrustedCaFile"] = TestCa.PemPath;
        _settings["Sendarix:Dns:Servers:0"] = _dns.Server;
        _settings["Sendarix:Delivery:Routes:0:Domain"] = "*";
        _settings["Sendarix:Delivery:Routes:0:Hosts:0"] = _sink.HostPort;
        _relay = new RelayProcess("relay", _settings, WorkDir);
    }

    /// <summary>The relay process's working directory, where relative data paths would land.</summary>
    string WorkDir => Path.Combine(Path.GetTempPath(), "sendarix-tests", $"crash-{_settings["Sendarix:Storage:Prefix"]}");

    public async Task DisposeAsync()
    {
        if (_relay is not null)
        {
            await _relay.DisposeAsync();
        }

        await _sink.DisposeAsync();
        if (_hooks is not null)
        {
            await _hooks.DisposeAsync();
        }

        await _azurite.DisposeAsync();
        _dns.Dispose();
        try
        {
            if (_settings is not null)
            {
                Directory.Delete(WorkDir, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Every_message_accepted_before_a_SIGKILL_is_delivered_after_the_restart()
    {
        var clock = Stopwatch.StartNew();
        await StartRelayAsync();
        var firstReady = clock.Elapsed;
        using var api = new HttpClient { BaseAddress = new Uri(_settings["Sendarix:Api:Url"]!) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _settings["Sendarix:Api:OperatorApiKey"]);
        var tenant = await Relay.CreateTenantAsync(api, _dns, "Crash");
        await Relay.ReadAsync(await api.PostAsJsonAsync($"/v1/tenants/{tenant.TenantId}/webhooks",
            new { url = $"https://{HooksHost}:{_hooks.Port}/ok", eventTypes = new[] { "accepted", "delivered" } }), HttpStatusCode.Created);

        // Load: each client sends numbered messages in a loop; a message counts only when its 250 was read.
        var accepted = new ConcurrentDictionary<string, string>();   // marker -> queued id
        var errors = new ConcurrentQueue<string>();
        var attempted = 0;
        using var stop = new CancellationTokenSource();
        var loadStart = clock.Elapsed;
        var clients = Enumerable.Range(0, Clients)
            .Select(i => Task.Run(() => SendLoopAsync(i, tenant, accepted, errors, () => Interlocked.Increment(ref attempted), stop.Token)))
            .ToList();

        await Expect(Eventually.TrueAsync(() =>
        {
            var failed = clients.FirstOrDefault(c => c.IsFaulted);
            return failed is null ? Task.FromResult(accepted.Count >= AcceptedBeforeKill) : throw failed.Exception!;
        }, LoadTime, $"{AcceptedBeforeKill} accepted messages"), "the load before the kill");

        var acceptedAtKill = accepted.Count;
        var deliveredAtKill = _sink.Messages.Count;
        var killedAt = clock.Elapsed;
        _relay.Kill();
        await _relay.WaitForExitAsync(TimeSpan.FromSeconds(30));
        _relay.Note($"relay killed with {acceptedAtKill} accepted, {deliveredAtKill} at the sink");
        await stop.CancelAsync();
        await Expect(Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(60)), "the clients to stop after the kill");

        // Replies read after the count was taken (between the count and the kill) are accepted too.
        var acceptedIds = accepted.ToDictionary();
        var deliveredBeforeRestart = _sink.Messages.Count;

        var restartAt = clock.Elapsed;
        await StartRelayAsync();
        var secondReady = clock.Elapsed;

        var delivered = await Expect(Eventually.GetAsync(() => Task.FromResult(MarkedMail.Complete(_sink.Messages)),
            d => acceptedIds.Keys.All(d.ContainsKey), DeliveryTime,
            $"all {acceptedIds.Count} accepted messages at the sink"), "delivery after the restart", () =>
            {
                var now = MarkedMail.Complete(_sink.Messages);
                var missing = acceptedIds.Where(a => !now.ContainsKey(a.Key)).ToList();
                return $"{missing.Count} accepted messages missing, e.g. {string.Join(", ", missing.Take(10).Select(m => $"{m.Key} ({m.Value})"))}";
            });
        var allDelivered = clock.Elapsed;

        // Duplicates come from work the killed process had received but not finished: it shows again after the
        // visibility timeout. Count them once the delivery queue (visible and invisible messages) is empty.
        var queue = new QueueClient(_azurite.ConnectionString, $"{_settings["Sendarix:Storage:Prefix"]}-delivery");
        await Expect(Eventually.TrueAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0,
            DeliveryTime, "the delivery queue to be empty"), "the delivery queue to drain after the restart");
        delivered = MarkedMail.Complete(_sink.Messages);
        var drained = clock.Elapsed;

        var duplicates = delivered.Where(d => acceptedIds.ContainsKey(d.Key) && d.Value > 1).Sum(d => d.Value - 1);
        var duplicated = delivered.Count(d => acceptedIds.ContainsKey(d.Key) && d.Value > 1);
        var unacknowledged = delivered.Keys.Count(k => !acceptedIds.ContainsKey(k));
        var partial = _sink.Messages.Count(MarkedMail.IsPartial);
        var report = $"""
            clients: {Clients}, attempted: {Volatile.Read(ref attempted)}, accepted (250 read): {acceptedIds.Count} ({acceptedAtKill} when the kill was decided)
            client errors: {errors.Count} (first: {errors.FirstOrDefault() ?? "none"})
            at the sink when killed: {deliveredAtKill}, before the restart: {deliveredBeforeRestart}, in the end: {_sink.Messages.Count} copies of {delivered.Count} distinct messages
            accepted messages delivered: {acceptedIds.Keys.Count(delivered.ContainsKey)}/{acceptedIds.Count}, lost: 0
            duplicates: {duplicates} extra copies of {duplicated} accepted messages; delivered without a 250 read by the client: {unacknowledged}; truncated copies at the sink: {partial}
            timings: first start {firstReady.TotalSeconds:F1} s, load {(killedAt - loadStart).TotalSeconds:F1} s ({acceptedAtKill / Math.Max(0.001, (killedAt - loadStart).TotalSeconds):F0} msg/s accepted), restart ready after {(secondReady - restartAt).TotalSeconds:F1} s, all delivered {(allDelivered - secondReady).TotalSeconds:F1} s after the restart ({(allDelivered - killedAt).TotalSeconds:F1} s after the kill), queue empty {(drained - secondReady).TotalSeconds:F1} s after the restart
            """;
        // Webhooks: every accepted message's accepted and delivered events reach the endpoint at least once, events
        // pending in the outbox and the webhook queue at the kill included; repeats (same webhook-id) are counted.
        var queued = acceptedIds.Values.ToHashSet();
        var hooks = await Expect(Eventually.GetAsync(() => Task.FromResult(WebhookEvents()),
            w => queued.All(id => w.Accepted.Contains(id) && w.Delivered.Contains(id)), DeliveryTime, "every accepted and delivered event at the webhook endpoint"),
            "webhooks after the restart", () =>
            {
                var w = WebhookEvents();
                var missing = queued.Where(id => !w.Accepted.Contains(id) || !w.Delivered.Contains(id)).ToList();
                return $"{missing.Count} messages missing an event, e.g. {string.Join(", ", missing.Take(10))}";
            });
        report += $"\nwebhooks: {hooks.Requests} requests for {queued.Count} accepted messages, every accepted and delivered event received; duplicates (a webhook-id again): {hooks.Duplicates}";
        output.WriteLine(report);

        Assert.True(acceptedIds.Count >= AcceptedBeforeKill, report);
        Assert.True(allDelivered - restartAt <= RecoveryTime, $"Delivered {(allDelivered - restartAt).TotalSeconds:F1} s after the restart.\n{report}");
        // At-least-once after a crash: only work in flight at the kill may be repeated, never more than was accepted.
        Assert.True(duplicates <= acceptedIds.Count, $"More duplicates than accepted messages.\n{report}\n{_relay.Tail()}");

        // A repeated attempt is the same step of the recipient's history: its events keep their ids and are stored once.
        foreach (var marker in delivered.Where(d => acceptedIds.ContainsKey(d.Key) && d.Value > 1).Select(d => d.Key).Take(20))
        {
            var view = await Relay.ReadAsync(await api.GetAsync($"/v1/messages/{acceptedIds[marker]}"), HttpStatusCode.OK);
            var types = view.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
            Assert.Equal(["accepted", "delivered"], types);
            var ids = view.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());
        }
    }

    (HashSet<string> Accepted, HashSet<string> Delivered, int Requests, int Duplicates) WebhookEvents()
    {
        var accepted = new HashSet<string>(StringComparer.Ordinal);
        var delivered = new HashSet<string>(StringComparer.Ordinal);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var requests = _hooks.Requests.Where(r => r.Path == "/ok").ToList();
        var duplicates = 0;
        foreach (var request in requests)
        {
            if (!ids.Add(request.Headers["webhook-id"]))
            {
                duplicates++;
            }

            var data = JsonDocument.Parse(request.Body).RootElement.GetProperty("data");
            var messageId = data.GetProperty("messageId").GetString()!;
            (data.GetProperty("type").GetString() == "accepted" ? accepted : delivered).Add(messageId);
        }

        return (accepted, delivered, requests.Count, duplicates);
    }

    async Task SendLoopAsync(int client, TenantCredential tenant, ConcurrentDictionary<string, string> accepted, ConcurrentQueue<string> errors, Func<int> attempt, CancellationToken stop)
    {
        var port = int.Parse(_settings["Sendarix:Smtp:StartTlsPort"]!);
        var sequence = 0;
        while (!stop.IsCancellationRequested)
        {
            using var smtp = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true, Timeout = 60_000 };
            try
            {
                await smtp.ConnectAsync("127.0.0.1", port, SecureSocketOptions.StartTls, stop);
                await smtp.AuthenticateAsync(tenant.Username, tenant.Secret, stop);
                while (!stop.IsCancellationRequested)
                {
                    var marker = $"crash-{client}-{sequence++}-{Guid.NewGuid():N}";
                    attempt();
                    // Not cancelled by the test: a reply is either read in full or lost with the connection.
                    var reply = await smtp.SendAsync(MarkedMail.Create(marker, $"client{client}@{tenant.Domain}", $"load{client}@sink.test"));
                    accepted[marker] = Mail.QueuedId(reply);
                }

                await smtp.DisconnectAsync(true, CancellationToken.None);
            }
            catch (Exception ex) when (ex is not XunitException)
            {
                errors.Enqueue($"client {client}: {ex.GetType().Name}: {ex.Message}");
                if (!stop.IsCancellationRequested)
                {
                    // Reconnect soon; after the kill the test stops the clients.
                    await Task.Delay(100, CancellationToken.None);
                }
            }
        }
    }

    Task StartRelayAsync() => Expect(_relay.StartAsync(Startup), "the relay to start");

    Task Expect(Task wait, string what, Func<string>? detail = null) =>
        Expectation.ThatAsync(wait, what, () => $"{detail?.Invoke()}\n{_relay.Tail()}");

    Task<T> Expect<T>(Task<T> wait, string what, Func<string>? detail = null) =>
        Expectation.ThatAsync(wait, what, () => $"{detail?.Invoke()}\n{_relay.Tail()}");
}

/// <summary>The crash test loads the machine and kills a relay: it runs alone, after the parallel tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CrashCollection
{
    public const string Name = "crash";
}
