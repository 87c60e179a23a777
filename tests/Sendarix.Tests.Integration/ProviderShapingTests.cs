using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// Provider-aware shaping across a cluster: two silos deliver to a simulated Gmail (a sink whose MX host name is
/// Google's, served by dnsmasq) and together stay within the Gmail profile's connections and rate, set through the API;
/// a destination that answers 421 is paused while other destinations keep flowing.
/// </summary>
public sealed class ProviderShapingTests : IAsyncLifetime
{
    readonly Dnsmasq _dns = new();
    SmtpSink _gmail = null!;
    SmtpSink _busy = null!;
    Relay _a = null!;
    Relay _b = null!;

    public async Task InitializeAsync()
    {
        _gmail = new SmtpSink(IPAddress.Parse("127.0.0.7")) { OfferStartTls = true, CertificateNames = ["gmail-smtp-in.l.google.com"] };
        var port = _gmail.EndPoint.Port;
        _busy = new SmtpSink(IPAddress.Parse("127.0.0.8"), port) { Greeting = _ => "421 4.3.2 Service busy, try again in 30 seconds" };
        await _dns.StartAsync(
        [
            "--mx-host=gmail.test,gmail-smtp-in.l.google.com,5", "--host-record=gmail-smtp-in.l.google.com,127.0.0.7",
            "--mx-host=other.test,mx.other.test,10", "--host-record=mx.other.test,127.0.0.7",
            "--mx-host=busy.test,mx.busy.test,10", "--host-record=mx.busy.test,127.0.0.8",
        ]);

        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Sendarix:Delivery:MxPort"] = port.ToString();
        settings["Sendarix:Delivery:HeloName"] = "silo-a.test";
        settings["Sendarix:Retry:FirstRetry"] = "00:01:00";
        settings["Sendarix:Retry:MaxRetry"] = "00:02:00";
        // Each silo holds only a few messages at a time, so both take part rather than one taking all 40 at once.
        settings["Sendarix:Delivery:MaxConcurrentDeliveries"] = "4";
        var second = new Dictionary<string, string?>(settings)
        {
            ["Sendarix:Delivery:HeloName"] = "silo-b.test",
            ["Sendarix:Cluster:SiloPort"] = Ports.Free().ToString(),
            ["Sendarix:Cluster:GatewayPort"] = Ports.Free().ToString(),
            ["Sendarix:Smtp:StartTlsPort"] = Ports.Free().ToString(),
            ["Sendarix:Smtp:ImplicitTlsPort"] = Ports.Free().ToString(),
            ["Sendarix:Smtp:FeedbackPort"] = Ports.Free().ToString(),
            ["Sendarix:Api:Url"] = $"http://127.0.0.1:{Ports.Free()}",
        };
        _a = await Relay.StartAsync(settings, _dns);
        _b = await Relay.StartAsync(second, _dns);
    }

    public async Task DisposeAsync()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
        _dns.Dispose();
        await _gmail.DisposeAsync();
        await _busy.DisposeAsync();
    }

    [Fact]
    public async Task Two_silos_together_keep_to_the_gmail_profile_set_through_the_api()
    {
        const int connections = 2, perMinute = 120, count = 40;
        var profile = await Relay.ReadAsync(await _a.Api.PutAsJsonAsync("/v1/providers/gmail",
            new { connectionsPerIp = connections, messagesPerConnection = 5, messagesPerMinutePerIp = perMinute }), HttpStatusCode.OK);
        Assert.True(profile.GetProperty("requireTls").GetBoolean());

        // The other silo's API sees the same profile: it lives in the provider's grain.
        var seen = await Relay.ReadAsync(await _b.Api.GetAsync("/v1/providers/gmail"), HttpStatusCode.OK);
        Assert.Equal(connections, seen.GetProperty("connectionsPerIp").GetInt32());

        var tenant = await _a.CreateTenantAsync();
        var sends = new[] { _a, _b }.Select(relay => SendAsync(relay, tenant, count / 2)).ToList();
        var ids = (await Task.WhenAll(sends)).SelectMany(x => x).ToList();
        var received = await _gmail.WaitForMessagesAsync(count, TimeSpan.FromSeconds(90));
        foreach (var id in ids)
        {
            await _a.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "delivered");
        }

        var times = received.Select(m => m.ReceivedAt).Order().ToList();
        var elapsed = times[^1] - times[0];
        var busiestFiveSeconds = times.Max(t => times.Count(u => u >= t && u < t.AddSeconds(5)));
        Console.WriteLine($"gmail profile {connections} connections, {perMinute}/min: {count} messages in {elapsed.TotalSeconds:F1} s, " +
                          $"at most {_gmail.MaxConcurrentConnections} connections at once, at most {busiestFiveSeconds} in any 5 s, " +
                          $"silos: {string.Join(", ", received.GroupBy(m => m.Helo).Select(g => $"{g.Key} {g.Count()}"))}");

        Assert.InRange(_gmail.MaxConcurrentConnections, 1, connections);
        Assert.All(received, m => Assert.True(m.OverTls));
        // 2 a second with a burst of 2: 40 messages need at least 19 s, and no 5 s hold more than 12. The times are the
        // sink's: the first message also waits for a connection (TLS, a lease) that later ones reuse, so it can arrive
        // up to two seconds late. Two silos each at the full rate would take 10 s.
        Assert.True(elapsed >= TimeSpan.FromSeconds(17), $"40 messages in {elapsed.TotalSeconds:F1} s");
        Assert.InRange(busiestFiveSeconds, 1, 12);
        Assert.Equal(["silo-a.test", "silo-b.test"], received.Select(m => m.Helo).Distinct().Order());
    }

    [Fact]
    public async Task A_destination_answering_421_is_paused_while_others_keep_flowing()
    {
        var tenant = await _a.CreateTenantAsync();
        var busy = await _a.SubmitAsync(tenant, [$"x-{Guid.NewGuid():N}@busy.test"], "shaping");
        var view = await _a.WaitForStatusAsync(busy, TimeSpan.FromSeconds(30), "deferred");
        var deferred = view.GetProperty("events").EnumerateArray().Last();
        Assert.StartsWith("421 4.3.2", deferred.GetProperty("reply").GetString());
        Assert.Equal("transient", deferred.GetProperty("bounceCategory").GetString());

        // Paused for the 30 s the reply named, not the generic schedule; the next attempt waits for it.
        var destination = await Relay.ReadAsync(await _a.Api.GetAsync("/v1/destinations/busy.test"), HttpStatusCode.OK);
        var pausedFor = destination.GetProperty("backoffUntil").GetDateTimeOffset() - deferred.GetProperty("time").GetDateTimeOffset();
        Assert.InRange(pausedFor.TotalSeconds, 25, 35);
        Assert.True(deferred.GetProperty("nextAttempt").GetDateTimeOffset() >= destination.GetProperty("backoffUntil").GetDateTimeOffset().AddSeconds(-1));

        // The event is written before the retry row that the count reads, so the count may follow a moment later.
        await Eventually.GetAsync(() => _a.Api.GetFromJsonAsync<JsonElement>("/v1/destinations/busy.test"),
            d => d.GetProperty("deferredMessages").GetInt32() == 1, TimeSpan.FromSeconds(10), "the deferred message to be counted");

        // Meanwhile another destination is delivered at once.
        var other = await _a.SubmitAsync(tenant, [$"y-{Guid.NewGuid():N}@other.test"], "shaping");
        await _a.WaitForStatusAsync(other, TimeSpan.FromSeconds(20), "delivered");

        // The operator holds that one: its mail waits (and is counted) until it is resumed.
        var paused = await Relay.ReadAsync(await _a.Api.PostAsync("/v1/destinations/other.test/pause", null), HttpStatusCode.OK);
        Assert.True(paused.GetProperty("paused").GetBoolean());
        var held = await _a.SubmitAsync(tenant, [$"z-{Guid.NewGuid():N}@other.test"], "shaping");
        view = await _a.WaitForStatusAsync(held, TimeSpan.FromSeconds(20), "deferred");
        Assert.Contains("held until", view.GetProperty("events").EnumerateArray().Last().GetProperty("reply").GetString());
        await Eventually.GetAsync(() => _a.Api.GetFromJsonAsync<JsonElement>("/v1/destinations/other.test"),
            d => d.GetProperty("deferredMessages").GetInt32() == 1, TimeSpan.FromSeconds(10), "the held message to be counted");

        // The operator's list of where mail waits shows both, the held one as paused.
        var waiting = (await Relay.ReadAsync(await _a.Api.GetAsync("/v1/destinations"), HttpStatusCode.OK)).EnumerateArray()
            .ToDictionary(d => d.GetProperty("destination").GetString()!);
        Assert.Equal(1, waiting["busy.test"].GetProperty("deferredMessages").GetInt32());
        Assert.Equal(JsonValueKind.String, waiting["busy.test"].GetProperty("backoffUntil").ValueKind);
        Assert.True(waiting["other.test"].GetProperty("paused").GetBoolean());
        Assert.Equal(1, waiting["other.test"].GetProperty("deferredMessages").GetInt32());

        await Relay.ReadAsync(await _a.Api.PostAsync("/v1/destinations/other.test/resume", null), HttpStatusCode.OK);
        await _a.WaitForStatusAsync(held, TimeSpan.FromSeconds(30), "delivered");

        // Once its mail is gone and the hold lifted it leaves the list.
        await Eventually.GetAsync(() => _a.Api.GetFromJsonAsync<JsonElement>("/v1/destinations"),
            l => l.EnumerateArray().All(d => d.GetProperty("destination").GetString() != "other.test"), TimeSpan.FromSeconds(15), "other.test to leave the list");
    }

    static async Task<List<string>> SendAsync(Relay relay, TenantCredential tenant, int count)
    {
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", relay.StartTlsPort, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync(tenant.Username, tenant.Secret);
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var message = new MimeMessage();
            message.From.Add(MailboxAddress.Parse(tenant.Sender));
            message.To.Add(MailboxAddress.Parse($"user{i}-{Guid.NewGuid():N}@gmail.test"));
            message.Subject = $"shaped {i}";
            message.Body = new TextPart("plain") { Text = "Within the profile." };
            ids.Add(Mail.QueuedId(await client.SendAsync(message)));
        }

        await client.DisconnectAsync(true);
        return ids;
    }
}
