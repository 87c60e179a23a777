using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>A tenant made through the API submits mail; the destination receives it unchanged; the API shows what happened.</summary>
[Collection(RelayCollection.Name)]
public sealed class EndToEndTests(RelayFixture fixture)
{
    Relay Relay => fixture.Relay;

    [Fact]
    public async Task The_clients_message_id_and_decoded_subject_are_kept_with_the_message()
    {
        var tenant = await Relay.CreateTenantAsync("Headers");
        var to = $"headers-{Guid.NewGuid():N}@sink.test";
        var clientId = $"{Guid.NewGuid():N}@app.test";
        var message = System.Text.Encoding.UTF8.GetBytes(
            $"From: <{tenant.Sender}>\r\nTo: <{to}>\r\nSubject: =?utf-8?B?{Convert.ToBase64String("Grüße aus dem Test"u8.ToArray())}?=\r\n" +
            $"Message-ID: <{clientId}>\r\n\r\nbody\r\n");

        var (code, text) = await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", tenant, tenant.Sender, [to], message);
        Assert.True(code == 250, $"{code} {text}");

        var stored = await Relay.GetMessageAsync(Mail.QueuedId(text));
        Assert.Equal(clientId, stored.GetProperty("messageIdHeader").GetString());
        Assert.Equal("Grüße aus dem Test", stored.GetProperty("subject").GetString());
        var page = await Relay.SearchAsync(tenant.TenantId, "", 1);
        Assert.Equal(clientId, page.GetProperty("items")[0].GetProperty("messageIdHeader").GetString());
    }

    [Fact]
    public async Task Python_client_over_starttls_is_relayed_byte_for_byte_and_its_events_are_listed()
    {
        var tenant = await Relay.CreateTenantAsync("Python shop");
        var to = $"alice-{Guid.NewGuid():N}@sink.test";
        var message = Mail.Sample(tenant.Sender, to, "End to end");

        var (code, text) = await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", tenant, tenant.Sender, [to], message);

        Assert.Equal(250, code);
        Assert.StartsWith("2.0.0 OK: queued as ", text);
        var id = Mail.QueuedId(text);
        Assert.StartsWith(tenant.TenantId + "-", id);

        var delivered = await Eventually.GetAsync(() => Task.FromResult(fixture.Sink.Messages.FirstOrDefault(m => m.Recipients.Contains(to))),
            m => m is not null, TimeSpan.FromSeconds(30), "the message at the sink");
        Assert.Equal(tenant.Sender, delivered!.From);
        Assert.Equal(message, Mail.WithoutTopReceived(delivered.Data));
        Assert.Contains("with ESMTPSA id", delivered.Text);

        var view = await Relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "delivered");
        var events = view.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal(["accepted", "delivered"], events);
        var deliveredEvent = view.GetProperty("events")[1];
        Assert.Equal(to, deliveredEvent.GetProperty("recipient").GetString());
        Assert.StartsWith("250 2.0.0", deliveredEvent.GetProperty("reply").GetString());
        Assert.Contains(fixture.Sink.HostPort.Split(':')[1], deliveredEvent.GetProperty("remoteHost").GetString());
        Assert.Equal("default", deliveredEvent.GetProperty("egressIp").GetString());

        var page = await Relay.SearchAsync(tenant.TenantId, "", 1);
        Assert.Equal(id, page.GetProperty("items")[0].GetProperty("id").GetString());

        // No egress pools here: the host's own address sent it, and its reputation is visible like a pool IP's.
        var pools = await Relay.ReadAsync(await Relay.Api.GetAsync("/v1/pools"), HttpStatusCode.OK);
        var host = Assert.Single(pools.EnumerateArray());
        Assert.Equal("host", host.GetProperty("name").GetString());
        Assert.True(host.GetProperty("isDefault").GetBoolean());
        var ip = await Relay.ReadAsync(await Relay.Api.GetAsync("/v1/ips/default"), HttpStatusCode.OK);
        Assert.Equal("warm", ip.GetProperty("status").GetString());
        await Eventually.GetAsync(() => Relay.Api.GetFromJsonAsync<JsonElement>("/v1/ips/default"),
            i => i.GetProperty("standing").EnumerateArray().Any(p => p.GetProperty("scope").GetString() == "default"
                                                                && p.GetProperty("last24Hours").GetProperty("delivered").GetInt32() >= 1),
            TimeSpan.FromSeconds(10), "the delivery to count toward the host address's reputation");
    }

    [Fact]
    public async Task MailKit_over_implicit_tls_delivers_to_every_accepted_recipient_when_one_is_refused()
    {
        var tenant = await Relay.CreateTenantAsync();
        var good = $"bob-{Guid.NewGuid():N}@sink.test";
        var refused = $"nobody-{Guid.NewGuid():N}@sink.test";
        fixture.Sink.RcptReply = r => r == refused ? "550 5.1.1 No such user" : "250 2.1.5 OK";

        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", Relay.ImplicitTlsPort, SecureSocketOptions.SslOnConnect);
        await client.AuthenticateAsync(tenant.Username, tenant.Secret);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(tenant.Sender));
        message.To.Add(MailboxAddress.Parse(good));
        message.To.Add(MailboxAddress.Parse(refused));
        message.Subject = "Two recipients";
        message.Body = new TextPart("plain") { Text = "One of you will get this." };
        var reply = await client.SendAsync(message);
        await client.DisconnectAsync(true);

        var view = await Relay.WaitForStatusAsync(Mail.QueuedId(reply), TimeSpan.FromSeconds(30), "delivered", "bounced");
        var status = view.GetProperty("recipients").EnumerateArray().ToDictionary(r => r.GetProperty("address").GetString()!, r => r);
        Assert.Equal("delivered", status[good].GetProperty("status").GetString());
        Assert.Equal("bounced", status[refused].GetProperty("status").GetString());
        Assert.StartsWith("550 5.1.1", status[refused].GetProperty("lastReply").GetString());
        Assert.Equal("invalid_recipient", status[refused].GetProperty("bounceCategory").GetString());
        Assert.Equal("invalid_recipient", view.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "bounced").GetProperty("bounceCategory").GetString());
        Assert.Equal(JsonValueKind.Null, view.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("type").GetString() == "delivered").GetProperty("bounceCategory").ValueKind);
        Assert.Contains(fixture.Sink.Messages, m => m.Recipients.SequenceEqual([good]));
    }

    [Fact]
    public async Task A_deferred_recipient_is_delivered_by_the_retry_after_the_destination_recovers()
    {
        var tenant = await Relay.CreateTenantAsync();
        var to = $"carol-{Guid.NewGuid():N}@retry.test";

        var (code, text) = await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", tenant, tenant.Sender, [to], Mail.Sample(tenant.Sender, to, "Retry"));
        Assert.Equal(250, code);

        var view = await Relay.WaitForStatusAsync(Mail.QueuedId(text), TimeSpan.FromSeconds(60), "delivered");
        var events = view.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["accepted", "deferred", "delivered"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.StartsWith("421 4.3.2", events[1].GetProperty("reply").GetString());
        Assert.Equal("transient", events[1].GetProperty("bounceCategory").GetString());
        Assert.True(events[1].GetProperty("nextAttempt").GetDateTimeOffset() > events[1].GetProperty("time").GetDateTimeOffset());
        Assert.Equal(2, view.GetProperty("recipients")[0].GetProperty("attempts").GetInt32());
        Assert.Single(fixture.RetrySink.Messages, m => m.Recipients.Contains(to));
    }

    [Fact]
    public async Task A_destination_that_hangs_defers_the_recipient_with_a_timeout()
    {
        var tenant = await Relay.CreateTenantAsync();
        var to = $"dave-{Guid.NewGuid():N}@hang.test";

        var (code, text) = await PythonSmtp.SubmitAsync(Relay.ImplicitTlsPort, "tls", tenant, tenant.Sender, [to], Mail.Sample(tenant.Sender, to, "Hang"));
        Assert.Equal(250, code);

        var view = await Eventually.GetAsync(() => Relay.GetMessageAsync(Mail.QueuedId(text)),
            m => m.GetProperty("events").EnumerateArray().Any(e => e.GetProperty("type").GetString() == "deferred"),
            TimeSpan.FromSeconds(30), "a deferral");
        var deferred = view.GetProperty("events").EnumerateArray().First(e => e.GetProperty("type").GetString() == "deferred");
        Assert.Contains("timed out", deferred.GetProperty("reply").GetString());
        Assert.Equal("bad_connection", deferred.GetProperty("bounceCategory").GetString());
        Assert.Equal(JsonValueKind.String, deferred.GetProperty("nextAttempt").ValueKind);
    }

    [Fact]
    public async Task A_route_that_requires_tls_delivers_over_starttls_and_never_in_plaintext()
    {
        var tenant = await Relay.CreateTenantAsync();
        var secure = $"tls-{Guid.NewGuid():N}@tls.test";
        var plain = $"plain-{Guid.NewGuid():N}@notls.test";
        var (_, first) = await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", tenant, tenant.Sender, [secure], Mail.Sample(tenant.Sender, secure, "TLS"));
        var (_, second) = await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", tenant, tenant.Sender, [plain], Mail.Sample(tenant.Sender, plain, "No TLS"));

        await Relay.WaitForStatusAsync(Mail.QueuedId(first), TimeSpan.FromSeconds(30), "delivered");
        Assert.True(Assert.Single(fixture.TlsSink.Messages, m => m.Recipients.Contains(secure)).OverTls);

        var refused = await Eventually.GetAsync(() => Relay.GetMessageAsync(Mail.QueuedId(second)),
            m => m.GetProperty("events").EnumerateArray().Any(e => e.GetProperty("type").GetString() == "deferred"),
            TimeSpan.FromSeconds(30), "a deferral for the destination without STARTTLS");
        var deferred = refused.GetProperty("events").EnumerateArray().First(e => e.GetProperty("type").GetString() == "deferred");
        Assert.StartsWith("4.7.5", deferred.GetProperty("reply").GetString());
        Assert.Equal("policy", deferred.GetProperty("bounceCategory").GetString());
        Assert.DoesNotContain(fixture.Sink.Messages, m => m.Recipients.Contains(plain));
    }

    [Fact]
    public async Task Consecutive_deliveries_to_one_destination_reuse_its_connection()
    {
        var tenant = await Relay.CreateTenantAsync();
        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", Relay.StartTlsPort, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync(tenant.Username, tenant.Secret);
        for (var i = 0; i < 4; i++)
        {
            var message = new MimeMessage();
            message.From.Add(MailboxAddress.Parse(tenant.Sender));
            message.To.Add(MailboxAddress.Parse($"r{i}-{Guid.NewGuid():N}@reuse.test"));
            message.Subject = $"Reuse {i}";
            message.Body = new TextPart("plain") { Text = "again" };
            await Relay.WaitForStatusAsync(Mail.QueuedId(await client.SendAsync(message)), TimeSpan.FromSeconds(30), "delivered");
        }

        Assert.Equal(4, fixture.ReuseSink.Messages.Count);
        Assert.Equal(1, fixture.ReuseSink.Connections);
    }

    [Fact]
    public async Task A_large_message_with_an_attachment_arrives_unchanged()
    {
        var tenant = await Relay.CreateTenantAsync();
        var to = $"large-{Guid.NewGuid():N}@sink.test";
        var attachment = new byte[8 * 1024 * 1024];
        Random.Shared.NextBytes(attachment);
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(tenant.Sender));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = "Large";
        var body = new BodyBuilder { TextBody = "See the attachment." };
        body.Attachments.Add("data.bin", attachment);
        message.Body = body.ToMessageBody();
        using var sent = new MemoryStream();
        await message.WriteToAsync(new FormatOptions { NewLineFormat = NewLineFormat.Dos }, sent);

        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", Relay.StartTlsPort, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync(tenant.Username, tenant.Secret);
        var reply = await client.SendAsync(message);
        await client.DisconnectAsync(true);

        await Relay.WaitForStatusAsync(Mail.QueuedId(reply), TimeSpan.FromSeconds(60), "delivered");
        var delivered = Assert.Single(fixture.Sink.Messages, m => m.Recipients.Contains(to));
        Assert.Equal(sent.ToArray(), Mail.WithoutTopReceived(delivered.Data));
    }
}
