using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MimeKit;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// DSN parameters (RFC 3461) from a client outside .NET (Python's smtplib), carried on the message's events and passed
/// to a next hop nobody here wrote that offers DSN: Postfix's smtp-sink, whose dump shows the MAIL and RCPT arguments.
/// Mail to bounced.test is refused (550 5.1.1) by the test sink, which also takes the notifications the relay mails.
/// </summary>
public sealed class DsnTests : IAsyncLifetime
{
    readonly string _dumps = Path.Combine(Path.GetTempPath(), "sendarix-tests", $"smtp-sink-dsn-{Guid.NewGuid():N}");
    readonly int _port = Ports.Free(IPAddress.Parse("127.0.0.6"));
    readonly SmtpSink _local = new() { RcptReply = rcpt => rcpt.EndsWith("@bounced.test", StringComparison.Ordinal) ? "550 5.1.1 No such user" : "250 2.1.5 OK" };
    readonly SmtpSink _offering = new(IPAddress.Parse("127.0.0.6"))
    {
        OfferDsn = true,
        RcptReply = rcpt => rcpt.StartsWith("gone-", StringComparison.Ordinal) ? "550 5.1.1 No such user" : "250 2.1.5 OK",
    };
    readonly LogCapture _logs = new();
    ExternalProcess _sink = null!;
    Relay _relay = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dumps);
        File.SetUnixFileMode(_dumps, (UnixFileMode)0x1FF);
        _sink = new ExternalProcess("smtp-sink", ["-u", "postfix", "-d", Path.Combine(_dumps, "%H%M%S."), $"127.0.0.6:{_port}", "64"]);
        await Ports.WaitListeningAsync(IPAddress.Parse("127.0.0.6"), _port, TimeSpan.FromSeconds(30));
        var settings = Relay.DefaultSettings((await AzuriteServer.Shared).ConnectionString);
        settings["Logging:LogLevel:Sendarix.Delivery.Reports"] = "Information";
        settings["Sendarix:Delivery:Routes:0:Domain"] = "dsn.test";
        settings["Sendarix:Delivery:Routes:0:Hosts:0"] = $"127.0.0.6:{_port}";
        settings["Sendarix:Delivery:Routes:1:Domain"] = "offering.test";
        settings["Sendarix:Delivery:Routes:1:Hosts:0"] = _offering.HostPort;
        settings["Sendarix:Delivery:Routes:2:Domain"] = "*";
        settings["Sendarix:Delivery:Routes:2:Hosts:0"] = _local.HostPort;
        _relay = await Relay.StartAsync(settings, logs: _logs);
    }

    public async Task DisposeAsync()
    {
        await _relay.DisposeAsync();
        _sink.Dispose();
        await _local.DisposeAsync();
        await _offering.DisposeAsync();
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
        Assert.Contains($"ORCPT=rfc822;Original+2B{marker}@dsn.test", rcptArgs);
    }

    [Fact]
    public async Task A_client_ORCPT_goes_on_unchanged_without_NOTIFY_and_the_message_arrives_as_sent()
    {
        // RFC 3461 section 4.2: a relay passes the client's ORCPT on as it is, with or without NOTIFY. The relay
        // writes that transaction itself, so the data's dot-stuffing and 8-bit text are checked at the next hop too.
        var tenant = await _relay.CreateTenantAsync();
        var marker = Guid.NewGuid().ToString("N");
        const string text = "Grüße aus Zürich\r\n.a line that starts with a dot\r\n..and one with two\r\n.\r\nlast line\r\n";
        var result = await SubmitAsync(tenant, $"user-{marker}@dsn.test", "BODY=8BITMIME", $"ORCPT=rfc822;list+2B{marker}@old.example", body: text);
        Assert.Equal(250, result.GetProperty("code").GetInt32());
        var id = Mail.QueuedId(result.GetProperty("text").GetString()!);
        var view = await _relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(60), "delivered");
        Assert.All(view.GetProperty("events").EnumerateArray(), e =>
            Assert.Equal($"rfc822;list+{marker}@old.example", e.GetProperty("originalRecipient").GetString()));

        var dump = await Eventually.GetAsync(() => Task.FromResult(string.Concat(Directory.GetFiles(_dumps).Select(f => File.ReadAllText(f)))),
            t => t.Contains(marker) && t.Contains("last line"), TimeSpan.FromSeconds(30), "smtp-sink's dump");
        var rcptArgs = dump.Split('\n').First(l => l.StartsWith("X-Rcpt-Args:", StringComparison.Ordinal) && l.Contains(marker));
        Assert.Contains($"ORCPT=rfc822;list+2B{marker}@old.example", rcptArgs);
        Assert.DoesNotContain("NOTIFY", rcptArgs);
        Assert.Contains("BODY=8BITMIME", dump.Split('\n').First(l => l.StartsWith("X-Mail-Args:", StringComparison.Ordinal) && l.Contains(tenant.Domain)));
        Assert.Contains("\r\n\r\n" + text, dump.Replace("\r\n", "\n").Replace("\n", "\r\n"));
    }

    [Fact]
    public async Task With_a_client_ORCPT_a_refused_recipient_bounces_and_a_deferred_end_of_data_is_sent_again()
    {
        var tenant = await _relay.CreateTenantAsync();
        var marker = Guid.NewGuid().ToString("N");
        var kept = $"kept-{marker}@offering.test";
        var gone = $"gone-{marker}@offering.test";
        var answers = 0;
        _offering.DataReply = () => Interlocked.Increment(ref answers) == 1 ? "451 4.3.0 Try again later" : "250 2.0.0 OK";
        var result = await SubmitAsync(tenant, $"{kept},{gone}", $"ENVID=env-{marker}", "NOTIFY=FAILURE ORCPT=rfc822;alias+2B{rcpt}");
        var id = Mail.QueuedId(result.GetProperty("text").GetString()!);

        var view = await _relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(60), "delivered", "bounced");
        var recipients = view.GetProperty("recipients").EnumerateArray().ToDictionary(r => r.GetProperty("address").GetString()!, r => r.GetProperty("status").GetString());
        Assert.Equal("delivered", recipients[kept]);
        Assert.Equal("bounced", recipients[gone]);
        var events = view.GetProperty("events").EnumerateArray().ToList();
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "deferred" && e.GetProperty("recipient").GetString() == kept
                                     && e.GetProperty("reply").GetString()!.StartsWith("451 4.3.0", StringComparison.Ordinal));
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "bounced" && e.GetProperty("recipient").GetString() == gone
                                     && e.GetProperty("reply").GetString()!.StartsWith("550 5.1.1", StringComparison.Ordinal));

        // The next hop saw each client ORCPT on every attempt, and took the message once, for the recipient it accepted.
        Assert.All(_offering.RcptCommands.Where(c => c.Contains(marker)), c => Assert.EndsWith($"NOTIFY=FAILURE ORCPT=rfc822;alias+2B{c[9..c.IndexOf('>')]}", c));
        Assert.Equal(3, _offering.RcptCommands.Count(c => c.Contains(marker)));
        var delivered = Assert.Single(_offering.Messages, m => m.Text.Contains(marker));
        Assert.Equal([kept], delivered.Recipients);
        Assert.Contains(_offering.MailCommands, c => c.Contains(tenant.Domain) && c.EndsWith($"ENVID=env-{marker}", StringComparison.Ordinal));
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

    [Fact]
    public async Task A_failure_gets_one_RFC_3464_notification_from_the_null_sender_when_the_tenant_wants_them()
    {
        var tenant = await _relay.CreateTenantAsync();
        await EnableNotificationsAsync(tenant);
        var marker = Guid.NewGuid().ToString("N");
        var result = await SubmitAsync(tenant, $"gone-{marker}@bounced.test", $"RET=HDRS ENVID=env-{marker}", $"NOTIFY=FAILURE ORCPT=rfc822;was-{marker}@bounced.test");
        var id = Mail.QueuedId(result.GetProperty("text").GetString()!);
        await _relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(60), "bounced");

        var notice = (await Eventually.GetAsync(() => Task.FromResult(_local.Messages.Where(m => m.Text.Contains($"env-{marker}")).ToList()),
            m => m.Count > 0, TimeSpan.FromSeconds(60), "the delivery status notification")).Single();
        Assert.Equal("", notice.From);
        Assert.Equal([tenant.Sender], notice.Recipients);
        var message = MimeMessage.Load(new MemoryStream(notice.Data));
        Assert.Equal($"mailer-daemon@{tenant.Domain}", message.From.Mailboxes.Single().Address);
        Assert.Equal("auto-replied", message.Headers["Auto-Submitted"]);
        var report = Assert.IsType<MultipartReport>(message.Body);
        Assert.Equal("delivery-status", report.ReportType);
        var status = report.OfType<MessageDeliveryStatus>().Single();
        Assert.Equal($"env-{marker}", status.StatusGroups[0]["Original-Envelope-Id"]);
        var recipient = status.StatusGroups[1];
        Assert.Equal($"rfc822; gone-{marker}@bounced.test", recipient["Final-Recipient"]);
        Assert.Equal($"rfc822;was-{marker}@bounced.test", recipient["Original-Recipient"]);
        Assert.Equal("failed", recipient["Action"]);
        Assert.Equal("5.1.1", recipient["Status"]);
        Assert.StartsWith("smtp; 550 5.1.1", recipient["Diagnostic-Code"]);
        var headers = report.Single(p => p.ContentType.IsMimeType("text", "rfc822-headers"));
        Assert.Contains($"To: <gone-{marker}@bounced.test>", headers.ToString());
        Assert.DoesNotContain(report, p => p.ContentType.IsMimeType("message", "rfc822"));

        // The notification is a message of the tenant's like any other, delivered and on record.
        var noticeId = _logs.Lines.First(l => l.EventName == "StatusNotificationQueued" && l.Text.Contains(id)).Text.Split(' ')[3];
        await _relay.WaitForStatusAsync(noticeId, TimeSpan.FromSeconds(60), "delivered");
    }

    [Fact]
    public async Task No_notification_for_the_null_sender_for_NOTIFY_NEVER_or_for_a_tenant_that_did_not_ask()
    {
        var asking = await _relay.CreateTenantAsync();
        await EnableNotificationsAsync(asking);
        var silent = await _relay.CreateTenantAsync();
        var ids = new List<string>
        {
            // A bounce of a bounce: the null sender never gets a notification, so none can loop.
            Mail.QueuedId((await SubmitAsync(asking, "a@bounced.test", "", "NOTIFY=FAILURE", from: "")).GetProperty("text").GetString()!),
            Mail.QueuedId((await SubmitAsync(asking, "b@bounced.test", "", "NOTIFY=NEVER")).GetProperty("text").GetString()!),
            Mail.QueuedId((await SubmitAsync(silent, "c@bounced.test", "", "NOTIFY=FAILURE")).GetProperty("text").GetString()!),
        };
        foreach (var id in ids)
        {
            await _relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(60), "bounced");
        }

        // Notifications are stored before a round's outcomes are recorded: once bounced shows, one would be on record,
        // as it is for the same failure from a sender that asked.
        var asked = Mail.QueuedId((await SubmitAsync(asking, "d@bounced.test", "", "NOTIFY=FAILURE")).GetProperty("text").GetString()!);
        await _relay.WaitForStatusAsync(asked, TimeSpan.FromSeconds(60), "bounced");
        Assert.Contains(_logs.Lines, l => l.EventName == "StatusNotificationQueued" && l.Text.Contains(asked));
        Assert.DoesNotContain(_logs.Lines, l => l.EventName == "StatusNotificationQueued" && ids.Any(l.Text.Contains));
    }

    async Task EnableNotificationsAsync(TenantCredential tenant)
    {
        var updated = await Relay.ReadAsync(await _relay.Api.PatchAsJsonAsync($"/v1/tenants/{tenant.TenantId}", new { deliveryStatusNotifications = true }), HttpStatusCode.OK);
        Assert.True(updated.GetProperty("deliveryStatusNotifications").GetBoolean());
    }

    async Task<JsonElement> SubmitAsync(TenantCredential tenant, string to, string mailOptions, string rcptOptions, string? from = null, string body = "body\r\n") =>
        JsonDocument.Parse(await PythonScript.RunAsync("python3", "dsn.py", _relay.StartTlsPort.ToString(), tenant.Username, tenant.Secret,
            from ?? tenant.Sender, to, mailOptions, rcptOptions, tenant.Sender, body)).RootElement.Clone();
}
