using System.Net;
using System.Text.Json;
using DnsClient;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// Delivery by MX records served by a real DNS server (dnsmasq) on loopback: preference order with fallback to
/// the next host, the implicit MX (A record only), and a domain that does not exist.
/// </summary>
public sealed class MxDeliveryTests : IAsyncLifetime
{
    readonly Dnsmasq _dns = new();
    SmtpSink _sink = null!;
    Relay _relay = null!;

    public async Task InitializeAsync()
    {
        // The sink listens on 127.0.0.5; the preferred MX (127.0.0.4) has nothing on that port, so connecting fails.
        _sink = new SmtpSink(IPAddress.Parse("127.0.0.5"));
        var port = _sink.EndPoint.Port;
        await _dns.StartAsync(
        [
            "--mx-host=mx.test,mx1.mx.test,10", "--mx-host=mx.test,mx2.mx.test,20",
            "--host-record=mx1.mx.test,127.0.0.4", "--host-record=mx2.mx.test,127.0.0.5",
            "--host-record=amx.test,127.0.0.5", "--local=/amx.test/",
            "--address=/nx.test/",
        ]);

        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Sendarix:Delivery:MxPort"] = port.ToString();
        _relay = await Relay.StartAsync(settings, _dns);
    }

    public async Task DisposeAsync()
    {
        await _relay.DisposeAsync();
        _dns.Dispose();
        await _sink.DisposeAsync();
    }

    [Fact]
    public async Task Tries_mx_hosts_in_preference_order_and_delivers_to_the_next_when_the_first_fails()
    {
        var view = await SubmitAndWaitAsync($"mx-{Guid.NewGuid():N}@mx.test", "delivered");
        var delivered = view.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "delivered");
        Assert.StartsWith("mx2.mx.test[127.0.0.5]", delivered.GetProperty("remoteHost").GetString());
    }

    [Fact]
    public async Task Falls_back_to_the_address_record_of_a_domain_without_mx()
    {
        var to = $"a-{Guid.NewGuid():N}@amx.test";
        var view = await SubmitAndWaitAsync(to, "delivered");
        Assert.StartsWith("amx.test[127.0.0.5]", view.GetProperty("events")[1].GetProperty("remoteHost").GetString());
        Assert.Contains(_sink.Messages, m => m.Recipients.Contains(to));
    }

    [Fact]
    public async Task Fails_a_recipient_whose_domain_does_not_exist()
    {
        var view = await SubmitAndWaitAsync($"x-{Guid.NewGuid():N}@nx.test", "failed");
        var failed = view.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "failed");
        Assert.StartsWith("5.1.2", failed.GetProperty("reply").GetString());
        Assert.Equal("dns_failure", failed.GetProperty("bounceCategory").GetString());
    }

    async Task<JsonElement> SubmitAndWaitAsync(string to, string status)
    {
        var tenant = await _relay.CreateTenantAsync();
        var (code, text) = await PythonSmtp.SubmitAsync(_relay.StartTlsPort, "starttls", tenant, tenant.Sender, [to], Mail.Sample(tenant.Sender, to, "MX"));
        Assert.Equal(250, code);
        return await _relay.WaitForStatusAsync(Mail.QueuedId(text), TimeSpan.FromSeconds(60), status);
    }
}
