using System.Net;
using System.Net.Http.Json;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>The life of a deferred recipient: its retry survives a restart of the relay, and it expires at the end of its lifetime.</summary>
public sealed class RetryLifecycleTests
{
    [Fact]
    public async Task A_pending_retry_survives_a_relay_restart_and_delivers_when_the_destination_is_back()
    {
        var address = IPAddress.Parse("127.0.0.7");
        var port = Ports.Free(address);
        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Sendarix:Delivery:Routes:0:Domain"] = "later.test";
        settings["Sendarix:Delivery:Routes:0:Hosts:0"] = $"{address}:{port}";
        // Long enough that the retry is still pending when the relay comes back.
        settings["Sendarix:Retry:FirstRetry"] = "00:00:08";
        settings["Sendarix:Retry:MaxRetry"] = "00:00:08";

        string id;
        TenantCredential tenant;
        await using (var first = await Relay.StartAsync(settings))
        {
            tenant = await first.CreateTenantAsync();
            var to = $"later-{Guid.NewGuid():N}@later.test";
            var (code, text) = await PythonSmtp.SubmitAsync(first.StartTlsPort, "starttls", tenant, tenant.Sender, [to], Mail.Sample(tenant.Sender, to, "Later"));
            Assert.Equal(250, code);
            id = Mail.QueuedId(text);
            await first.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "deferred");

            // The event is written first, then the retry and its reminder: stop once the release is scheduled.
            await Eventually.GetAsync(() => first.Api.GetFromJsonAsync<System.Text.Json.JsonElement>("/v1/destinations/later.test"),
                d => d.GetProperty("nextRelease").ValueKind != System.Text.Json.JsonValueKind.Null, TimeSpan.FromSeconds(30), "the retry to be scheduled");
        }

        await using var sink = new SmtpSink(address, port);
        await using var second = await Relay.StartAsync(settings);
        var view = await second.WaitForStatusAsync(id, TimeSpan.FromSeconds(60), "delivered");
        Assert.Equal(["accepted", "deferred", "delivered"], view.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        Assert.Single(sink.Messages);
    }

    [Fact]
    public async Task A_recipient_that_stays_deferred_expires_at_the_end_of_its_lifetime()
    {
        var address = IPAddress.Parse("127.0.0.8");
        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Sendarix:Delivery:Routes:0:Domain"] = "down.test";
        settings["Sendarix:Delivery:Routes:0:Hosts:0"] = $"{address}:{Ports.Free(address)}";
        settings["Sendarix:Retry:MaxLifetime"] = "00:00:05";
        await using var relay = await Relay.StartAsync(settings);
        var tenant = await relay.CreateTenantAsync();
        var to = $"gone-{Guid.NewGuid():N}@down.test";

        var (code, text) = await PythonSmtp.SubmitAsync(relay.StartTlsPort, "starttls", tenant, tenant.Sender, [to], Mail.Sample(tenant.Sender, to, "Expire"));
        Assert.Equal(250, code);

        var view = await relay.WaitForStatusAsync(Mail.QueuedId(text), TimeSpan.FromSeconds(60), "expired");
        var events = view.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal("accepted", events[0]);
        Assert.Contains("deferred", events);
        Assert.Equal("expired", events[^1]);
        var destination = await Relay.ReadAsync(await relay.Api.GetAsync("/v1/destinations/down.test"), HttpStatusCode.OK);
        Assert.True(destination.GetProperty("consecutiveFailures").GetInt32() >= 1);
    }
}
