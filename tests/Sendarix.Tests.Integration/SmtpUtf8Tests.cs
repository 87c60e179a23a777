using System.Net;
using System.Text.Json;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// SMTPUTF8 (RFC 6531) from Python's smtplib: an internationalised address and header relayed through a destination
/// nobody here wrote that offers SMTPUTF8 (a Postfix instance, which hands the mail on to the test sink), and bounced
/// with 5.6.7 by one that does not (Postfix's smtp-sink).
/// </summary>
public sealed class SmtpUtf8Tests : IAsyncLifetime
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "sendarix-tests", $"postfix-utf8-{Guid.NewGuid():N}");
    readonly int _postfixPort = Ports.Free();
    readonly int _sinkPort = Ports.Free(IPAddress.Parse("127.0.0.6"));
    readonly SmtpSink _final = new() { OfferSmtpUtf8 = true };
    ExternalProcess _plainSink = null!;
    Relay _relay = null!;

    public async Task InitializeAsync()
    {
        await PythonScript.RunAsync("bash", "postfix-upstream.sh", "start", _dir, _postfixPort.ToString(), _final.EndPoint.Port.ToString(), "-", "-");
        await Ports.WaitListeningAsync(IPAddress.Loopback, _postfixPort, TimeSpan.FromSeconds(30));
        _plainSink = new ExternalProcess("smtp-sink", ["-u", "postfix", $"127.0.0.6:{_sinkPort}", "64"]);
        await Ports.WaitListeningAsync(IPAddress.Parse("127.0.0.6"), _sinkPort, TimeSpan.FromSeconds(30));

        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        // Routes are keyed by A-label: the U-label recipient domain bücher.test finds the first.
        settings["Sendarix:Delivery:Routes:0:Domain"] = "xn--bcher-kva.test";
        settings["Sendarix:Delivery:Routes:0:Hosts:0"] = $"127.0.0.1:{_postfixPort}";
        settings["Sendarix:Delivery:Routes:1:Domain"] = "plain.test";
        settings["Sendarix:Delivery:Routes:1:Hosts:0"] = $"127.0.0.6:{_sinkPort}";
        _relay = await Relay.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _relay.DisposeAsync();
        await PythonScript.RunAsync("bash", "postfix-upstream.sh", "stop", _dir);
        _plainSink.Dispose();
        await _final.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task An_internationalised_message_goes_to_a_destination_that_offers_SMTPUTF8()
    {
        var tenant = await _relay.CreateTenantAsync();
        var marker = Guid.NewGuid().ToString("N")[..12];
        var result = await SubmitAsync(tenant, $"josé.{marker}@bücher.test", $"Grüße {marker}");
        Assert.True(result.GetProperty("offered").GetBoolean(), "EHLO offers SMTPUTF8");
        Assert.Equal(250, result.GetProperty("code").GetInt32());
        var id = Mail.QueuedId(result.GetProperty("text").GetString()!);

        var view = await _relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(60), "delivered");
        Assert.Equal($"josé.{marker}@xn--bcher-kva.test", view.GetProperty("recipients")[0].GetProperty("address").GetString());

        var mail = (await Eventually.GetAsync(() => Task.FromResult(_final.Messages.Where(m => m.Text.Contains(marker)).ToList()), m => m.Count > 0,
            TimeSpan.FromSeconds(60), "the message at the sink behind Postfix")).Single();
        Assert.Contains($"Subject: Grüße {marker}", mail.Text);
        Assert.StartsWith($"josé.{marker}@", mail.Recipients.Single());
        Assert.Contains(_final.MailCommands, c => c.Contains("SMTPUTF8", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_destination_without_SMTPUTF8_bounces_it_with_5_6_7()
    {
        var tenant = await _relay.CreateTenantAsync();
        var result = await SubmitAsync(tenant, "josé@plain.test", "Grüße");
        Assert.Equal(250, result.GetProperty("code").GetInt32());
        var view = await _relay.WaitForStatusAsync(Mail.QueuedId(result.GetProperty("text").GetString()!), TimeSpan.FromSeconds(60), "bounced");
        Assert.Contains("5.6.7", view.GetProperty("recipients")[0].GetProperty("lastReply").GetString());
    }

    [Fact]
    public async Task A_utf8_address_without_SMTPUTF8_is_refused_with_553()
    {
        var tenant = await _relay.CreateTenantAsync();
        await using var smtp = await RawSmtp.ConnectAsync(_relay.StartTlsPort);
        Assert.Contains("SMTPUTF8", await smtp.SecureAsync());
        await smtp.LoginAsync(tenant);
        Assert.StartsWith("250", await smtp.CommandAsync($"MAIL FROM:<{tenant.Sender}>"));
        Assert.StartsWith("553 5.6.7", await smtp.CommandAsync("RCPT TO:<josé@bücher.test>"));
    }

    async Task<JsonElement> SubmitAsync(TenantCredential tenant, string to, string subject) =>
        JsonDocument.Parse(await PythonScript.RunAsync("python3", "utf8.py", _relay.StartTlsPort.ToString(), tenant.Username, tenant.Secret,
            tenant.Sender, to, subject)).RootElement.Clone();
}
