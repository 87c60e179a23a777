using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Azure.Data.Tables;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Runtime;
using Sendarix.Contracts.Destinations;
using Sendarix.Tests.Integration.Infrastructure;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Sendarix.Tests.Integration;

/// <summary>
/// A real cluster on one machine: three silo processes (which also deliver), two SMTP front-end processes and an API
/// process on one Azurite, with Azure Table membership. Under load through both front-ends, the silo holding the
/// destination's grain is killed (SIGKILL), then every process is restarted in turn (SIGTERM, as an orchestrator
/// does): nothing accepted is lost, no client sees a 5xx, and acceptance recovers within 30 s of the kill.
/// </summary>
[Collection(CrashCollection.Name)]
public sealed class ClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    const int Clients = 10;
    const string Destination = "sink.test";
    static readonly TimeSpan Startup = TimeSpan.FromSeconds(180);
    static readonly TimeSpan Recovery = TimeSpan.FromSeconds(30);

    readonly AzuriteServer _azurite = new();
    readonly Dnsmasq _dns = new();
    readonly SmtpSink _sink = new(IPAddress.Loopback);
    readonly List<RelayProcess> _silos = [];
    readonly List<RelayProcess> _frontEnds = [];
    readonly Stopwatch _clock = Stopwatch.StartNew();
    readonly ConcurrentDictionary<string, string> _accepted = new();     // marker -> queued id
    readonly ConcurrentQueue<TimeSpan> _acceptedAt = new();
    readonly ConcurrentQueue<string> _fiveHundreds = new();
    readonly ConcurrentQueue<string> _errors = new();
    readonly ConcurrentDictionary<string, bool> _deferredOnce = new();
    RelayProcess _api = null!;
    Dictionary<string, string?> _base = null!;

    string WorkDir => Path.Combine(Path.GetTempPath(), "sendarix-tests", $"cluster-{_base["Sendarix:Storage:Prefix"]}");

    IEnumerable<RelayProcess> All => _silos.Concat(_frontEnds).Append(_api);

    public async Task InitializeAsync()
    {
        await _azurite.StartAsync();
        await _dns.StartAsync([]);
        _base = Relay.DefaultSettings(_azurite.ConnectionString);
        _base["Sendarix:Dns:Servers:0"] = _dns.Server;
        _base["Sendarix:Delivery:Routes:0:Domain"] = "*";
        _base["Sendarix:Delivery:Routes:0:Hosts:0"] = _sink.HostPort;
        _base["Sendarix:Smtp:FeedbackPort"] = "0";

        // Every twentieth message is deferred once, so retries (the destination's reminder) run through the kill
        // and the restarts.
        _sink.RcptReply = r => r.StartsWith("later-", StringComparison.Ordinal) && _deferredOnce.TryAdd(r, true)
            ? "450 4.2.1 Try again later" : "250 2.1.5 OK";

        for (var i = 1; i <= 3; i++)
        {
            _silos.Add(Node($"silo{i}", new()
            {
                ["Sendarix:Roles:Smtp"] = "false",
                ["Sendarix:Roles:Api"] = "false",
                ["Sendarix:Cluster:SiloPort"] = Ports.Free().ToString(),
                ["Sendarix:Cluster:GatewayPort"] = Ports.Free().ToString(),
            }));
        }

        for (var i = 1; i <= 2; i++)
        {
            _frontEnds.Add(Node($"smtp{i}", new()
            {
                ["Sendarix:Roles:Silo"] = "false",
                ["Sendarix:Roles:Api"] = "false",
                ["Sendarix:Smtp:StartTlsPort"] = Ports.Free().ToString(),
                ["Sendarix:Smtp:ImplicitTlsPort"] = Ports.Free().ToString(),
            }));
        }

        _api = Node("api", new() { ["Sendarix:Roles:Silo"] = "false", ["Sendarix:Roles:Smtp"] = "false" });
    }

    RelayProcess Node(string name, Dictionary<string, string?> roles)
    {
        var settings = new Dictionary<string, string?>(_base) { ["Sendarix:Api:Url"] = $"http://127.0.0.1:{Ports.Free()}" };
        foreach (var (key, value) in roles)
        {
            settings[key] = value;
        }

        return new RelayProcess(name, settings, WorkDir);
    }

    public async Task DisposeAsync()
    {
        foreach (var node in All)
        {
            await node.DisposeAsync();
        }

        await _sink.DisposeAsync();
        await _azurite.DisposeAsync();
        _dns.Dispose();
        try
        {
            Directory.Delete(WorkDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task Three_silos_two_front_ends_and_an_api_lose_nothing_through_a_silo_kill_and_a_rolling_restart()
    {
        // Silos first (the first one creates the membership table), then the nodes that join them as clients. The
        // front-ends start one after the other: the first makes the development certificate both use.
        await Expect(_silos[0].StartAsync(Startup), "silo1 to start");
        await Expect(Task.WhenAll(_silos.Skip(1).Select(s => s.StartAsync(Startup))), "silo2 and silo3 to start");
        foreach (var node in _frontEnds.Append(_api))
        {
            await Expect(node.StartAsync(Startup), $"{node.Name} to start");
        }

        var started = _clock.Elapsed;
        using var api = new HttpClient { BaseAddress = new Uri(_api.Settings["Sendarix:Api:Url"]!) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _base["Sendarix:Api:OperatorApiKey"]);
        var tenant = await Relay.CreateTenantAsync(api, _dns, "Cluster");

        using var stop = new CancellationTokenSource();
        var clients = Enumerable.Range(0, Clients).Select(i => Task.Run(() => LoadAsync(i, tenant, stop.Token))).ToList();
        await Expect(Eventually.TrueAsync(() => Task.FromResult(_accepted.Count >= 200 && _sink.Messages.Count >= 50), Startup, "load through both front-ends"), "the load");

        // The silo that holds the destination's grain (its retry state and reminder) is the one killed. The rate of
        // the next 200 acceptances is the baseline.
        var victim = await SiloOfDestinationAsync();
        var warm = _clock.Elapsed;
        var warmCount = _accepted.Count;
        await Expect(Eventually.TrueAsync(() => Task.FromResult(_accepted.Count >= warmCount + 200), Startup, "a baseline of load"), "a baseline of load");
        var killedAt = _clock.Elapsed;
        var baseline = Rate(warm, killedAt);
        victim.Kill();
        await victim.WaitForExitAsync(TimeSpan.FromSeconds(30));
        victim.Note($"killed with {_accepted.Count} accepted, {_sink.Messages.Count} at the sink; baseline {baseline:F1} msg/s");

        // Recovered once a 5-second window after the kill accepts at least half the baseline rate.
        var recoveredAt = await Expect(Eventually.GetAsync(() => Task.FromResult(RecoveredAt(killedAt, baseline)), t => t is not null,
            TimeSpan.FromSeconds(90), "acceptance to recover after the kill"), "recovery after the kill");
        var recovery = recoveredAt!.Value - killedAt;
        var acceptedAfterKill = _accepted.Count;

        // Rolling restart: the killed silo comes back, then every process is stopped (SIGTERM) and started again in turn.
        await Expect(victim.StartAsync(Startup), $"{victim.Name} to start again");
        var restarts = new List<string>();
        foreach (var node in All.ToList())
        {
            var before = _clock.Elapsed;
            var exit = await Expect(node.TerminateAsync(TimeSpan.FromSeconds(90)), $"{node.Name} to stop on SIGTERM");
            var stopped = _clock.Elapsed;
            await Expect(node.StartAsync(Startup), $"{node.Name} to start again");
            restarts.Add($"{node.Name}: stopped in {(stopped - before).TotalSeconds:F1} s (exit code {exit}), ready again {(_clock.Elapsed - stopped).TotalSeconds:F1} s later");
            Assert.Equal(0, exit);
        }

        await Expect(Eventually.TrueAsync(() => Task.FromResult(_accepted.Count >= acceptedAfterKill + 200), Startup, "load after the restarts"), "load after the restarts");
        await stop.CancelAsync();
        await Expect(Task.WhenAll(clients).WaitAsync(TimeSpan.FromSeconds(90)), "the clients to stop");

        var accepted = _accepted.ToDictionary();
        var delivered = await Expect(Eventually.GetAsync(() => Task.FromResult(MarkedMail.Complete(_sink.Messages)), d => accepted.Keys.All(d.ContainsKey),
            TimeSpan.FromSeconds(180), $"all {accepted.Count} accepted messages at the sink"), "delivery of everything accepted", () =>
            {
                var now = MarkedMail.Complete(_sink.Messages);
                var missing = accepted.Where(a => !now.ContainsKey(a.Key)).ToList();
                return $"{missing.Count} missing, e.g. {string.Join(", ", missing.Take(10).Select(m => $"{m.Key} ({m.Value})"))}";
            });

        var duplicates = delivered.Where(d => accepted.ContainsKey(d.Key)).Sum(d => d.Value - 1);
        var report = $"""
            started in {started.TotalSeconds:F1} s; clients: {Clients}, alternating between the two front-ends
            killed {victim.Name} (it held the grain of {Destination}) at {killedAt.TotalSeconds:F1} s; baseline {baseline:F1} msg/s; recovered (a 5-s window at half the baseline or more) {recovery.TotalSeconds:F1} s after the kill
            {string.Join("\n", restarts)}
            accepted (250 read): {accepted.Count}; delivered: {accepted.Keys.Count(delivered.ContainsKey)}/{accepted.Count}, lost: {accepted.Keys.Count(k => !delivered.ContainsKey(k))}; duplicates: {duplicates}; deferred once and retried: {_deferredOnce.Count}
            5xx replies: {_fiveHundreds.Count} {string.Join("; ", _fiveHundreds.Take(5))}
            other client errors (4xx, refused connections; the client moves to the other front-end): {_errors.Count}, e.g. {string.Join("; ", _errors.Distinct().Take(6))}
            """;
        output.WriteLine(report);

        Assert.Empty(_fiveHundreds);
        Assert.True(recovery <= Recovery, $"Recovered {recovery.TotalSeconds:F1} s after the kill.\n{report}");
        Assert.True(_deferredOnce.Count > 0, report);
    }

    async Task LoadAsync(int client, TenantCredential tenant, CancellationToken stop)
    {
        var frontEnd = client % 2;
        var sequence = 0;
        while (!stop.IsCancellationRequested)
        {
            using var smtp = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true, Timeout = 60_000 };
            var node = _frontEnds[frontEnd];
            try
            {
                await smtp.ConnectAsync("127.0.0.1", int.Parse(node.Settings["Sendarix:Smtp:StartTlsPort"]!), SecureSocketOptions.StartTls, stop);
                await smtp.AuthenticateAsync(tenant.Username, tenant.Secret, stop);
                while (!stop.IsCancellationRequested)
                {
                    var marker = $"cluster-{client}-{sequence++}-{Guid.NewGuid():N}";
                    var to = sequence % 20 == 0 ? $"later-{marker}@{Destination}" : $"load{client}@{Destination}";
                    var reply = await smtp.SendAsync(MarkedMail.Create(marker, tenant.Sender, to), CancellationToken.None);
                    _accepted[marker] = Mail.QueuedId(reply);
                    _acceptedAt.Enqueue(_clock.Elapsed);
                }

                await smtp.DisconnectAsync(true, CancellationToken.None);
            }
            catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500)
            {
                _fiveHundreds.Enqueue($"{node.Name}: {(int)ex.StatusCode} {ex.Message}");
            }
            catch (Exception ex) when (ex is not XunitException)
            {
                if (!stop.IsCancellationRequested)
                {
                    _errors.Enqueue($"{node.Name}: {ex.GetType().Name}: {ex.Message}");
                    frontEnd = 1 - frontEnd;
                    await Task.Delay(50, CancellationToken.None);
                }
            }
        }
    }

    /// <summary>Asks the cluster, as an Orleans client, which silo holds the destination's grain.</summary>
    async Task<RelayProcess> SiloOfDestinationAsync()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.UseOrleansClient(c => c
            .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (_base["Sendarix:Cluster:ClusterId"]!, _base["Sendarix:Cluster:ServiceId"]!))
            .UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(_azurite.ConnectionString)));
        using var host = builder.Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IClusterClient>();
        await grains.GetGrain<IDestinationGrain>(Destination).GetBackoffAsync();
        var silo = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(grains.GetGrain<IDestinationGrain>(Destination));
        await host.StopAsync();
        Assert.NotNull(silo);
        return _silos.Single(s => s.Settings["Sendarix:Cluster:SiloPort"] == silo.Endpoint.Port.ToString());
    }

    double Rate(TimeSpan from, TimeSpan to) => _acceptedAt.Count(t => t >= from && t < to) / (to - from).TotalSeconds;

    TimeSpan? RecoveredAt(TimeSpan killedAt, double baseline)
    {
        var window = TimeSpan.FromSeconds(5);
        for (var start = killedAt; start + window <= _clock.Elapsed; start += TimeSpan.FromSeconds(1))
        {
            if (Rate(start, start + window) >= baseline / 2)
            {
                return start + window;
            }
        }

        return null;
    }

    string Tails() => string.Concat(All.Select(n => n.Tail(30)));

    Task Expect(Task wait, string what, Func<string>? detail = null) =>
        Expectation.ThatAsync(wait, what, () => $"{detail?.Invoke()}\n{Tails()}");

    Task<T> Expect<T>(Task<T> wait, string what, Func<string>? detail = null) =>
        Expectation.ThatAsync(wait, what, () => $"{detail?.Invoke()}\n{Tails()}");
}
