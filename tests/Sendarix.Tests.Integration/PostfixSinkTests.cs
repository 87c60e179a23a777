using System.Net;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>Delivery to a destination nobody here wrote: Postfix's smtp-sink, dumping what it receives to files.</summary>
public sealed class PostfixSinkTests : IAsyncLifetime
{
    readonly string _dumps = Path.Combine(Path.GetTempPath(), "sendarix-tests", $"smtp-sink-{Guid.NewGuid():N}");
    readonly int _port = Ports.Free(IPAddress.Parse("127.0.0.6"));
    ExternalProcess _sink = null!;
    Relay _relay = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dumps);
        // smtp-sink drops root privileges to the postfix user, which must be able to write the dump folder.
        File.SetUnixFileMode(_dumps, (UnixFileMode)0x1FF);
        _sink = new ExternalProcess("smtp-sink", ["-u", "postfix", "-d", Path.Combine(_dumps, "%H%M%S."), $"127.0.0.6:{_port}", "64"]);
        await Ports.WaitListeningAsync(IPAddress.Parse("127.0.0.6"), _port, TimeSpan.FromSeconds(30));

        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Sendarix:Delivery:Routes:0:Domain"] = "postfix.test";
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
    public async Task Delivers_every_message_to_postfix_smtp_sink()
    {
        var tenant = await _relay.CreateTenantAsync();
        var markers = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid().ToString("N")).ToList();
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", _relay.StartTlsPort, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync(tenant.Username, tenant.Secret);
        var ids = new List<string>();
        foreach (var marker in markers)
        {
            var message = new MimeMessage();
            message.From.Add(MailboxAddress.Parse(tenant.Sender));
            message.To.Add(MailboxAddress.Parse($"user-{marker}@postfix.test"));
            message.Subject = marker;
            message.Body = new TextPart("plain") { Text = $"marker {marker}" };
            ids.Add(Mail.QueuedId(await client.SendAsync(message)));
        }

        await client.DisconnectAsync(true);
        foreach (var id in ids)
        {
            var view = await _relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(60), "delivered");
            Assert.Contains($"127.0.0.6]:{_port}", view.GetProperty("events")[1].GetProperty("remoteHost").GetString());
        }

        var dumped = await Eventually.GetAsync(() => Task.FromResult(string.Concat(Directory.GetFiles(_dumps).Select(File.ReadAllText))),
            text => markers.All(text.Contains), TimeSpan.FromSeconds(30), "smtp-sink's dump files");
        Assert.All(markers, m => Assert.Contains($"Subject: {m}", dumped));
    }
}
