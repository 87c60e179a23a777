using System.Net;
using System.Net.Http.Json;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// With an OTLP collector set (here a loopback OTLP/HTTP receiver), one message's trace runs from its acceptance to its
/// delivery: the group commit links to it, each destination's delivery round and the retry of a deferred recipient
/// are in it, and so are the webhook requests for its events and the grain calls made on its way. The webhook lag is
/// measured as its requests are acknowledged.
/// It runs alone: every relay in a process publishes a meter of the same name, and the metric stream one relay's
/// exporter shares with another's instruments ends when that other relay stops.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class TracingTests(TracingTests.TracedRelay fixture) : IClassFixture<TracingTests.TracedRelay>
{
    const string Sandbox = "simulator.invalid";
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    Relay Relay => fixture.Relay;

    [Fact]
    public async Task One_trace_follows_a_message_from_acceptance_through_delivery_its_retry_and_its_webhooks()
    {
        var tenant = await Relay.CreateTenantAsync("Traced");
        var hook = $"/ok/{Guid.NewGuid():N}";
        await CreateEndpointAsync(tenant.TenantId, hook);
        string[] to = [$"success+{Guid.NewGuid():N}@{Sandbox}", $"defer+{Guid.NewGuid():N}@{Sandbox}", $"someone-{Guid.NewGuid():N}@sink.test"];
        var id = await Relay.SubmitAsync(tenant, to, "traced");
        await Relay.WaitForStatusAsync(id, Wait, "delivered");

        // accepted x3, delivered x3 and the deferral: seven requests, each a span of the message's trace.
        var spans = await Eventually.GetAsync(() => Task.FromResult(fixture.Otlp.Spans),
            s => s.FirstOrDefault(x => x.Name == "smtp.accept" && x["sendarix.message_id"] == id) is { } accept
                && s.Count(x => x.TraceId == accept.TraceId && x.Name == "webhook.send") >= 7
                && s.Any(x => x.TraceId == accept.TraceId && x.Name == "delivery.retry"),
            Wait, $"the trace of {id} with its retry and seven webhook requests at the collector");

        var acceptance = spans.Single(x => x.Name == "smtp.accept" && x["sendarix.message_id"] == id);
        var trace = spans.Where(x => x.TraceId == acceptance.TraceId).ToList();
        var describe = string.Join("\n", trace);
        Assert.Equal("Sendarix", acceptance.Scope);
        Assert.Equal("", acceptance.ParentSpanId);
        Assert.Equal(tenant.TenantId, acceptance["sendarix.tenant"]);
        Assert.Equal("250", acceptance["smtp.reply_code"]);

        // One batch carries many messages: it is in no message's trace, and links to this one's acceptance.
        Assert.Contains(spans, x => x.Name == "commit.batch" && x.Links.Contains(new ExportedLink(acceptance.TraceId, acceptance.SpanId)));

        // A first round per destination domain, children of the acceptance.
        var simulator = Assert.Single(trace, x => x.Name == "delivery.attempt" && x["sendarix.destination"] == Sandbox);
        var sink = Assert.Single(trace, x => x.Name == "delivery.attempt" && x["sendarix.destination"] == "sink.test");
        Assert.All(new[] { simulator, sink }, x => Assert.Equal(acceptance.SpanId, x.ParentSpanId));
        Assert.Equal(id, simulator["sendarix.message_id"]);
        Assert.Equal("2", simulator["sendarix.recipients"]);
        Assert.Contains("deferred", simulator["sendarix.outcome"]);
        Assert.Contains("delivered", simulator["sendarix.outcome"]);
        Assert.Equal("delivered", sink["sendarix.outcome"]);

        // The deferred recipient came back from the retry table in the same trace, under the round that deferred it.
        var retry = Assert.Single(trace, x => x.Name == "delivery.retry");
        Assert.Equal(simulator.SpanId, retry.ParentSpanId);
        Assert.Equal("delivered", retry["sendarix.outcome"]);
        Assert.Equal("2", retry["sendarix.attempt"]);

        // Each webhook request is a child of the span that recorded its event: the accepted events of the acceptance,
        // the outcomes of the round that decided them.
        var webhooks = trace.Where(x => x.Name == "webhook.send").ToList();
        Assert.Equal(3, webhooks.Count(x => x.ParentSpanId == acceptance.SpanId));
        Assert.Equal(2, webhooks.Count(x => x.ParentSpanId == simulator.SpanId));
        Assert.Equal(1, webhooks.Count(x => x.ParentSpanId == sink.SpanId));
        Assert.Equal(1, webhooks.Count(x => x.ParentSpanId == retry.SpanId));
        Assert.All(webhooks, x => Assert.Equal("204", x["http.response.status_code"]));

        // The grain calls a round makes (suppression, destination, throttle) carry the trace on through Orleans.
        Assert.Contains(trace, x => x.Scope.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) && x.ParentSpanId == sink.SpanId);

        // Tags name the tenant, the message and the domain, never a recipient.
        Assert.DoesNotContain(trace.SelectMany(x => x.Attributes.Values), v => to.Any(a => v.Contains(a[..a.IndexOf('@')], StringComparison.OrdinalIgnoreCase)));
        Assert.True(trace.Count >= 12, describe);
    }

    [Fact]
    public async Task The_webhook_lag_and_the_throttle_wait_are_measured()
    {
        var tenant = await Relay.CreateTenantAsync("Lag");
        await CreateEndpointAsync(tenant.TenantId, $"/ok/{Guid.NewGuid():N}");
        var id = await Relay.SubmitAsync(tenant, [$"someone-{Guid.NewGuid():N}@sink.test"], "lag");
        await Relay.WaitForStatusAsync(id, Wait, "delivered");

        using var http = new HttpClient { BaseAddress = Relay.Api.BaseAddress };
        // Both the accepted and the delivered event were acknowledged: two measurements of the tenant's lag.
        var counts = await Eventually.GetAsync(async () => string.Join('\n', (await http.GetStringAsync("/metrics")).Split('\n')
                .Where(l => l.StartsWith("sendarix_webhook_lag_seconds_count{", StringComparison.Ordinal))),
            t => Lag(t) >= 2, Wait, $"two measurements of tenant {tenant.TenantId}'s webhook lag at /metrics");
        Assert.True(Lag(counts) == 2, counts);

        // The send to the sink waited for a connection slot of its provider's throttle.
        var text = await http.GetStringAsync("/metrics");
        Assert.Contains(text.Split('\n'), l => l.StartsWith("sendarix_throttle_wait_seconds_count{", StringComparison.Ordinal)
            && l.Contains("limit=\"connection\"", StringComparison.Ordinal) && l.Contains("provider=\"default\"", StringComparison.Ordinal) && Value(l) >= 1);

        double Lag(string lines) => lines.Split('\n').Where(l => l.Contains($"tenant=\"{tenant.TenantId}\"", StringComparison.Ordinal)).Sum(Value);

        static double Value(string line) => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    async Task CreateEndpointAsync(string tenantId, string path) =>
        await Relay.ReadAsync(await Relay.Api.PostAsJsonAsync($"/v1/tenants/{tenantId}/webhooks", new { url = $"https://{TracedRelay.Host}:{fixture.Receiver.Port}{path}" }),
            HttpStatusCode.Created);

    /// <summary>
    /// A relay exporting over OTLP/HTTP to a loopback collector, with a sink for every domain, the mailbox simulator,
    /// quick retries, and a webhook receiver at hooks.relay.test (127.0.0.1 in the relay's DNS).
    /// </summary>
    public sealed class TracedRelay : IAsyncLifetime
    {
        public const string Host = "hooks.relay.test";
        readonly Dnsmasq _dns = new();

        internal OtlpReceiver Otlp { get; } = new();

        internal SmtpSink Sink { get; } = new(IPAddress.Loopback);

        internal WebhookReceiver Receiver { get; private set; } = null!;

        internal Relay Relay { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Receiver = await WebhookReceiver.StartAsync(Host);
            await _dns.StartAsync([$"--host-record={Host},127.0.0.1"]);
            var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
            settings["Sendarix:Telemetry:OtlpEndpoint"] = Otlp.Endpoint;
            settings["Sendarix:Telemetry:OtlpProtocol"] = "HttpProtobuf";
            // Spans go out every half second rather than every five.
            settings["OTEL_BSP_SCHEDULE_DELAY"] = "500";
            settings["Sendarix:Delivery:Routes:0:Domain"] = "*";
            settings["Sendarix:Delivery:Routes:0:Hosts:0"] = Sink.HostPort;
            settings["Sendarix:Webhooks:AllowPrivateAddresses"] = "true";
            settings["Sendarix:Webhooks:EndpointCacheDuration"] = "00:00:00";
            Relay = await Relay.StartAsync(settings, _dns);
        }

        public async Task DisposeAsync()
        {
            await Relay.DisposeAsync();
            await Receiver.DisposeAsync();
            await Sink.DisposeAsync();
            await Otlp.DisposeAsync();
            _dns.Dispose();
        }
    }
}

/// <summary>Tests that read a relay's own metrics while no other relay in the process starts or stops.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "metrics";
}
