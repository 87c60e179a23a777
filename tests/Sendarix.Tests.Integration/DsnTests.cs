using System.Net;
using System.Text.Json;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// DSN parameters (RFC 3461) from a client outside .NET (Python's smtplib), carried on the message's events and passed
/// to a next hop nobody here wrote that offers DSN: Postfix's smtp-sink, whose dump shows the MAIL and RCPT arguments.
/// </summary>
public sealed class DsnTests : IAsyncLifetime
{
    readonly string _dumps = Path.Combine(Path.GetTempPath(), "sendarix-tests", $"smtp-sink-dsn-{Guid.NewGuid():N}");
    readonly int _port = Ports.Free(IPAddress.Parse("127.0.0.6"));
    ExternalProcess _sink = null!;
    Relay _relay = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dumps);
        File.SetUnixFileMode(_dumps, (UnixFileMode)0x1FF);
        _sink = new ExternalProcess("smtp-sink", ["-u", "postfix", "-d", Path.Combine(_dumps, "%H%M%S."), $"127.0.0.6:{_port}", "64"]);
        await Ports.WaitListeningAsync(IPAddress.Parse("127.0.0.6"), _port, TimeSpan.FromSeconds(30));
        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Sendarix:Delivery:Routes:0:Domain"] = "*";
        settings["Sendarix:Delivery:Routes:0:Hosts:0"] = $"127.0.0.6:{_port}";
        _relay = await Relay.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _relay.DisposeAsync();
        _sink.Dispose();
        Directory.Delete(_dumps, recursive: true);
    }

    [Fact]
    public async Task DSN_parameters_are_carried_on_events_and_passed_to_a_next_hop_that_offers_DSN()
    {
        var tenant = await _relay.CreateTenantAsync();
        var marker = Guid.NewGuid().ToString("N");
        var result = await SubmitAsync(tenant, $"user-{marker}@dsn.test", $"RET=HDRS ENVID=env-{marker}+2B1",
            $"NOTIFY=FAILURE,DELAY ORCPT=rfc822;Original+2B{marker}@dsn.test");
        Assert.True(result.GetProperty("offered").GetBoolean(), "EHLO offers DSN");
        Assert.Equal(250, result.GetProperty("code").GetInt32());
        var id = Mail.QueuedId(result.GetProperty("text").GetString()!);

        var view = await _relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(60), "delivered");
        Assert.All(view.GetProperty("events").EnumerateArray(), e =>
        {
            Assert.Equal($"env-{marker}+1", e.GetProperty("envelopeId").GetString());
            Assert.Equal($"rfc822;Original+{marker}@dsn.test", e.GetProperty("originalRecipient").GetString());
        });

        var dump = await Eventually.GetAsync(() => Task.FromResult(string.Concat(Directory.GetFiles(_dumps).Select(File.ReadAllText))),
            text => text.Contains(marker), TimeSpan.FromSeconds(30), "smtp-sink's dump");
        var mailArgs = dump.Split('\n').First(l => l.StartsWith("X-Mail-Args:", StringComparison.Ordinal) && l.Contains(marker));
        var rcptArgs = dump.Split('\n').First(l => l.StartsWith("X-Rcpt-Args:", StringComparison.Ordinal) && l.Contains(marker));
        Assert.Contains("RET=HDRS", mailArgs);
        Assert.Contains($"ENVID=env-{marker}+2B1", mailArgs);
        Assert.Contains("NOTIFY=FAILURE,DELAY", rcptArgs);
        // MailKit names the recipient itself as the original recipient; the client's ORCPT is on the events above.
        Assert.Contains($"ORCPT=rfc822;user-{marker}@dsn.test", rcptArgs);
    }

    [Fact]
    public async Task Without_DSN_parameters_nothing_is_added()
    {
        var tenant = await _relay.CreateTenantAsync();
        var marker = Guid.NewGuid().ToString("N");
        var result = await SubmitAsync(tenant, $"user-{marker}@dsn.test", "", "");
        var id = Mail.QueuedId(result.GetProperty("text").GetString()!);
        var view = await _relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(60), "delivered");
        Assert.All(view.GetProperty("events").EnumerateArray(), e => Assert.Equal(JsonValueKind.Null, e.GetProperty("envelopeId").ValueKind));
        var dump = await Eventually.GetAsync(() => Task.FromResult(string.Concat(Directory.GetFiles(_dumps).Select(File.ReadAllText))),
            text => text.Contains(marker), TimeSpan.FromSeconds(30), "smtp-sink's dump");
        var mailArgs = dump.Split('\n').First(l => l.StartsWith("X-Mail-Args:", StringComparison.Ordinal) && l.Contains(tenant.Domain));
        Assert.DoesNotContain("ENVID", mailArgs);
        Assert.DoesNotContain("NOTIFY", dump.Split('\n').First(l => l.StartsWith("X-Rcpt-Args:", StringComparison.Ordinal) && l.Contains(marker)));
    }

    [Theory]
    [InlineData("RET=EVERYTHING", "")]
    [InlineData("ENVID=has+20space", "")]
    [InlineData("", "NOTIFY=NEVER,SUCCESS")]
    [InlineData("", "ORCPT=no-type")]
    public async Task Malformed_DSN_parameters_get_501(string mailOptions, string rcptOptions)
    {
        var tenant = await _relay.CreateTenantAsync();
        var result = await SubmitAsync(tenant, "user@dsn.test", mailOptions, rcptOptions);
        Assert.Equal(501, result.GetProperty("code").GetInt32());
        Assert.StartsWith("5.5.4", result.GetProperty("text").GetString());
    }

    async Task<JsonElement> SubmitAsync(TenantCredential tenant, string to, string mailOptions, string rcptOptions) =>
        JsonDocument.Parse(await PythonScript.RunAsync("python3", "dsn.py", _relay.StartTlsPort.ToString(), tenant.Username, tenant.Secret,
            tenant.Sender, to, mailOptions, rcptOptions)).RootElement.Clone();
}
