using System.Net;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// MTA-STS (RFC 8461) against a real DNS server and an HTTPS policy server on loopback: an "enforce" policy limits
/// delivery to the MX hosts it names, over verified TLS, even when a preferred MX is not named; a named MX whose
/// certificate cannot be verified gets nothing and the mail is deferred with the reason.
/// </summary>
public sealed class MtaStsTests : IAsyncLifetime
{
    readonly Dnsmasq _dns = new();
    SmtpSink _unnamed = null!;
    SmtpSink _named = null!;
    SmtpSink _unverified = null!;
    PolicyServer _policies = null!;
    Relay _relay = null!;

    public async Task InitializeAsync()
    {
        _named = new SmtpSink(IPAddress.Parse("127.0.0.19")) { OfferStartTls = true, CertificateNames = ["mx.sts.test"] };
        var port = _named.EndPoint.Port;
        _unnamed = new SmtpSink(IPAddress.Parse("127.0.0.18"), port) { OfferStartTls = true, CertificateNames = ["backup.sts.test"] };
        _unverified = new SmtpSink(IPAddress.Parse("127.0.0.20"), port) { OfferStartTls = true };
        _policies = new PolicyServer(IPAddress.Parse("127.0.0.17"), new Dictionary<string, string>
        {
            ["mta-sts.sts.test"] = "version: STSv1\r\nmode: enforce\r\nmx: mx.sts.test\r\nmax_age: 86400\r\n",
            ["mta-sts.sts2.test"] = "version: STSv1\r\nmode: enforce\r\nmx: *.sts2.test\r\nmax_age: 86400\r\n",
        });
        await _dns.StartAsync(
        [
            // The preferred MX of sts.test is not in its policy; without MTA-STS it would get the mail.
            "--mx-host=sts.test,backup.sts.test,5", "--host-record=backup.sts.test,127.0.0.18",
            "--mx-host=sts.test,mx.sts.test,10", "--host-record=mx.sts.test,127.0.0.19",
            "--mx-host=sts2.test,mx.sts2.test,10", "--host-record=mx.sts2.test,127.0.0.20",
            "--host-record=mta-sts.sts.test,127.0.0.17", "--host-record=mta-sts.sts2.test,127.0.0.17",
            Dnsmasq.Txt("_mta-sts.sts.test", "v=STSv1; id=20261127"), Dnsmasq.Txt("_mta-sts.sts2.test", "v=STSv1; id=1"),
        ]);
        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Sendarix:Delivery:MxPort"] = port.ToString();
        settings["Sendarix:Delivery:MtaStsPort"] = _policies.Port.ToString();
        settings["Sendarix:Retry:FirstRetry"] = "00:01:00";
        settings["Sendarix:Retry:MaxRetry"] = "00:02:00";
        _relay = await Relay.StartAsync(settings, _dns);
    }

    public async Task DisposeAsync()
    {
        await _relay.DisposeAsync();
        _dns.Dispose();
        await _policies.DisposeAsync();
        await _named.DisposeAsync();
        await _unnamed.DisposeAsync();
        await _unverified.DisposeAsync();
    }

    [Fact]
    public async Task An_enforce_policy_sends_only_to_named_mx_hosts_over_verified_tls()
    {
        var tenant = await _relay.CreateTenantAsync();
        for (var i = 0; i < 3; i++)
        {
            await _relay.WaitForStatusAsync(await _relay.SubmitAsync(tenant, [$"user-{Guid.NewGuid():N}@sts.test"], "MTA-STS"), TimeSpan.FromSeconds(30), "delivered");
        }

        Assert.Equal(3, _named.Messages.Count);
        Assert.All(_named.Messages, m => Assert.True(m.OverTls));
        Assert.Empty(_unnamed.Messages);
        Assert.Equal(1, _policies.Requests); // kept for its max_age: fetched once for the same id

        var view = await _relay.WaitForStatusAsync(await _relay.SubmitAsync(tenant, [$"user-{Guid.NewGuid():N}@sts2.test"], "MTA-STS"), TimeSpan.FromSeconds(30), "deferred");
        var reply = view.GetProperty("events").EnumerateArray().Last().GetProperty("reply").GetString();
        Assert.StartsWith("4.7.5 TLS with mx.sts2.test", reply);
        Assert.Contains("not verified", reply);
        Assert.Empty(_unverified.Messages);
    }
}
