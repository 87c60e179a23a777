using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using System.Text;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// With APPLICATIONINSIGHTS_CONNECTION_STRING set, telemetry reaches Azure Monitor's ingestion service: here a
/// loopback HTTP endpoint standing in for it, named by the connection string's IngestionEndpoint. The node also
/// exports Orleans' own meter, which is a setting.
/// </summary>
public sealed class AzureMonitorTests : IAsyncLifetime
{
    const string InstrumentationKey = "00000000-0000-0000-0000-00000000a1b2";
    readonly HttpListener _ingestion = new();
    readonly ConcurrentQueue<(string Path, string Body)> _received = new();
    readonly int _port = Ports.Free();
    Task _serving = Task.CompletedTask;
    Relay _relay = null!;

    public async Task InitializeAsync()
    {
        // The exporter's own usage reports (statsbeat) go to Microsoft's endpoint; tests touch loopback only.
        Environment.SetEnvironmentVariable("APPLICATIONINSIGHTS_STATSBEAT_DISABLED", "true");
        _ingestion.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _ingestion.Start();
        _serving = ServeAsync();
        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Sendarix:Telemetry:OrleansMetrics"] = "true";
        settings["APPLICATIONINSIGHTS_CONNECTION_STRING"] = $"InstrumentationKey={InstrumentationKey};IngestionEndpoint=http://127.0.0.1:{_port}/";
        _relay = await Relay.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _relay.DisposeAsync();
        _ingestion.Stop();
        await _serving.ContinueWith(_ => { }, TaskScheduler.Default);
        _ingestion.Close();
    }

    [Fact]
    public async Task Requests_and_logs_reach_the_ingestion_endpoint_named_by_the_connection_string()
    {
        var tenant = await _relay.CreateTenantAsync("Azure Monitor");
        Assert.NotNull(tenant);

        await Eventually.TrueAsync(() => Task.FromResult(_received.Any(r => r.Body.Contains("\"RequestData\"") && r.Body.Contains("/v1/tenants"))
                && _received.Any(r => r.Body.Contains("\"MessageData\""))),
            TimeSpan.FromSeconds(60), "a request and a log line at the ingestion endpoint");
        Assert.All(_received, r => Assert.EndsWith("/v2.1/track", r.Path));
        Assert.Contains(_received, r => r.Body.Contains(InstrumentationKey));

        // Orleans' own meter, turned on for this node, is scraped beside the relay's.
        using var http = new HttpClient { BaseAddress = _relay.Api.BaseAddress };
        await Eventually.TrueAsync(async () => (await http.GetStringAsync("/metrics")).Contains("orleans_", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), "Orleans' metrics at /metrics");
    }

    async Task ServeAsync()
    {
        while (_ingestion.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _ingestion.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            var input = context.Request.Headers["Content-Encoding"] == "gzip" ? new GZipStream(context.Request.InputStream, CompressionMode.Decompress) : context.Request.InputStream;
            await input.CopyToAsync(body);
            var text = Encoding.UTF8.GetString(body.ToArray());
            _received.Enqueue((context.Request.Url!.AbsolutePath, text));
            var items = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
            var reply = Encoding.UTF8.GetBytes($"{{\"itemsReceived\":{items},\"itemsAccepted\":{items},\"errors\":[]}}");
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(reply);
            context.Response.Close();
        }
    }
}
