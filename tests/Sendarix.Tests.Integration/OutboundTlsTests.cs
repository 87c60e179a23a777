using System.Net;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// Verified TLS where the provider requires it (Gmail here, recognised by its MX host names): a certificate issued for
/// the MX host by a trusted CA is accepted; a self-signed one, or one for another name, defers the mail with the reason,
/// and nothing is sent to that host at all.
/// </summary>
public sealed class OutboundTlsTests : IAsyncLifetime
{
    readonly Dnsmasq _dns = new();
    SmtpSink _trusted = null!;
    SmtpSink _selfSigned = null!;
    SmtpSink _misnamed = null!;
    Relay _relay = null!;

    public async Task InitializeAsync()
    {
        _trusted = new SmtpSink(IPAddress.Parse("127.0.0.14")) { OfferStartTls = true, CertificateNames = ["alt1.aspmx.l.google.com"] };
        var port = _trusted.EndPoint.Port;
        _selfSigned = new SmtpSink(IPAddress.Parse("127.0.0.15"), port) { OfferStartTls = true };
        _misnamed = new SmtpSink(IPAddress.Parse("127.0.0.16"), port) { OfferStartTls = true, CertificateNames = ["mx.elsewhere.example"] };
        await _dns.StartAsync(
        [
            "--mx-host=trusted.test,alt1.aspmx.l.google.com,5", "--host-record=alt1.aspmx.l.google.com,127.0.0.14",
            "--mx-host=selfsigned.test,alt2.aspmx.l.google.com,5", "--host-record=alt2.aspmx.l.google.com,127.0.0.15",
            "--mx-host=misnamed.test,alt3.aspmx.l.google.com,5", "--host-record=alt3.aspmx.l.google.com,127.0.0.16",
        ]);
        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Sendarix:Delivery:MxPort"] = port.ToString();
        settings["Sendarix:Retry:FirstRetry"] = "00:01:00";
        settings["Sendarix:Retry:MaxRetry"] = "00:02:00";
        _relay = await Relay.StartAsync(settings, _dns);
    }

    public async Task DisposeAsync()
    {
        await _relay.DisposeAsync();
        _dns.Dispose();
        await _trusted.DisposeAsync();
        await _selfSigned.DisposeAsync();
        await _misnamed.DisposeAsync();
    }

    [Fact]
    public async Task A_provider_that_requires_tls_gets_mail_only_over_a_verified_certificate()
    {
        var tenant = await _relay.CreateTenantAsync();
        var good = await _relay.SubmitAsync(tenant, [$"user-{Guid.NewGuid():N}@trusted.test"], "verified TLS");
        await _relay.WaitForStatusAsync(good, TimeSpan.FromSeconds(30), "delivered");
        Assert.True(Assert.Single(_trusted.Messages).OverTls);

        foreach (var (domain, reason) in new[] { ("selfsigned.test", "not verified"), ("misnamed.test", "does not name the host") })
        {
            var view = await _relay.WaitForStatusAsync(await _relay.SubmitAsync(tenant, [$"user-{Guid.NewGuid():N}@{domain}"], "verified TLS"), TimeSpan.FromSeconds(30), "deferred");
            var reply = view.GetProperty("events").EnumerateArray().Last().GetProperty("reply").GetString();
            Assert.StartsWith("4.7.5 TLS with", reply);
            Assert.Contains(reason, reply);
        }

        Assert.Empty(_selfSigned.Messages);
        Assert.Empty(_misnamed.Messages);
    }
}
