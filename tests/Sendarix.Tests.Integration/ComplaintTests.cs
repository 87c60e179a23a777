using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using MimeKit;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// A feedback-loop report (ARF) posted to the API, or mailed to the feedback address as a provider's feedback loop
/// does, becomes a complained event and a suppression.
/// </summary>
[Collection(RelayCollection.Name)]
public sealed class ComplaintTests(RelayFixture fixture)
{
    Relay Relay => fixture.Relay;

    [Fact]
    public async Task An_arf_report_is_matched_to_the_message_records_a_complaint_and_suppresses_the_recipient()
    {
        var tenant = await Relay.CreateTenantAsync();
        var to = $"annoyed-{Guid.NewGuid():N}@sink.test";
        var (_, text) = await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", tenant, tenant.Sender, [to], Mail.Sample(tenant.Sender, to, "Newsletter"));
        var id = Mail.QueuedId(text);
        await Relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "delivered");
        var delivered = Assert.Single(fixture.Sink.Messages, m => m.Recipients.Contains(to));

        var response = await PostAsync(Arf(delivered.Data, to));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        Assert.Contains(id, body);

        var view = await Relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(10), "complained");
        Assert.Equal("complained", view.GetProperty("events").EnumerateArray().Last().GetProperty("type").GetString());
        var list = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/suppressions"), HttpStatusCode.OK);
        var entry = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal("complaint", entry.GetProperty("reason").GetString());
        Assert.Equal(id, entry.GetProperty("messageId").GetString());

        var notArf = await PostAsync(Encoding.ASCII.GetBytes("Subject: hello\r\n\r\nnot a report\r\n"));
        Assert.Equal(HttpStatusCode.BadRequest, notArf.StatusCode);
    }

    [Fact]
    public async Task A_complaint_about_a_sub_tenant_s_message_names_it_and_counts_in_its_window_only()
    {
        var tenant = await Relay.CreateTenantAsync();
        await Relay.ReadAsync(await Relay.Api.PutAsJsonAsync($"/v1/tenants/{tenant.TenantId}/subtenants/shop-7", new { }), HttpStatusCode.Created);
        var to = $"annoyed-{Guid.NewGuid():N}@sink.test";
        var shop = tenant with { Username = tenant.Username + "+shop-7" };
        var (_, text) = await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", shop, tenant.Sender, [to], Mail.Sample(tenant.Sender, to, "Offers"));
        var id = Mail.QueuedId(text);
        await Relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "delivered");
        var delivered = Assert.Single(fixture.Sink.Messages, m => m.Recipients.Contains(to));

        Assert.Equal(HttpStatusCode.Accepted, (await PostAsync(Arf(delivered.Data, to))).StatusCode);
        var view = await Relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(10), "complained");
        Assert.Equal("shop-7", view.GetProperty("events").EnumerateArray().Last().GetProperty("subtenant").GetString());
        var subtenant = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/subtenants/shop-7"), HttpStatusCode.OK);
        Assert.Equal(1, subtenant.GetProperty("reputation").GetProperty("complained").GetInt32());
        var stats = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/stats"), HttpStatusCode.OK);
        Assert.Equal(0, stats.GetProperty("reputation").GetProperty("complained").GetInt32());
    }

    [Fact]
    public async Task An_arf_report_mailed_to_the_feedback_address_without_auth_is_recorded_and_suppresses_the_recipient()
    {
        var tenant = await Relay.CreateTenantAsync();
        var to = $"reporter-{Guid.NewGuid():N}@sink.test";
        var (_, text) = await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", tenant, tenant.Sender, [to], Mail.Sample(tenant.Sender, to, "Offers"));
        var id = Mail.QueuedId(text);
        await Relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "delivered");
        var delivered = Assert.Single(fixture.Sink.Messages, m => m.Recipients.Contains(to));

        var (code, reply, authOffered) = await PythonSmtp.ReportAsync(Relay.FeedbackPort, Relay.FeedbackAddress, Arf(delivered.Data, to));
        Assert.Equal(250, code);
        Assert.Equal($"2.0.0 OK: complaint recorded for {id}", reply);
        Assert.False(authOffered);

        var view = await Relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(10), "complained");
        Assert.Contains("feedback report: abuse", view.GetProperty("events").EnumerateArray().Last().GetProperty("reply").GetString());
        var list = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/suppressions"), HttpStatusCode.OK);
        var entry = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal(to, entry.GetProperty("address").GetString());
        Assert.Equal("complaint", entry.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task The_feedback_listener_relays_nothing_refuses_auth_and_non_reports_and_takes_unmatched_reports()
    {
        var (code, reply, _) = await PythonSmtp.ReportAsync(Relay.FeedbackPort, "someone@sink.test", Mail.Sample("a@b.example", "someone@sink.test", "relay me"));
        Assert.Equal(550, code);
        Assert.StartsWith("5.7.1 Relaying denied", reply);

        (code, reply, _) = await PythonSmtp.ReportAsync(Relay.FeedbackPort, Relay.FeedbackAddress, Encoding.ASCII.GetBytes("Subject: hello\r\n\r\nnot a report\r\n"));
        Assert.Equal(554, code);
        Assert.StartsWith("5.6.0 Not a feedback report", reply);

        var stranger = Encoding.ASCII.GetBytes("Received: from x by mx.other.example with ESMTP id abc; Fri, 27 Nov 2026 10:00:00 +0000\r\nFrom: a@other.example\r\nTo: b@sink.test\r\nSubject: hi\r\n\r\nhi\r\n");
        (code, reply, _) = await PythonSmtp.ReportAsync(Relay.FeedbackPort, Relay.FeedbackAddress, Arf(stranger, "b@sink.test"));
        Assert.Equal(250, code);
        Assert.Contains("not acted on", reply);

        await using var raw = await RawSmtp.ConnectAsync(Relay.FeedbackPort);
        var extensions = await raw.SecureAsync();
        Assert.DoesNotContain(extensions, e => e.Contains("AUTH", StringComparison.Ordinal));
        Assert.Matches("^[45]", await raw.CommandAsync($"AUTH PLAIN {Convert.ToBase64String(Encoding.ASCII.GetBytes("\0user\0password"))}"));
        Assert.StartsWith("250", await raw.CommandAsync("MAIL FROM:<x@y.example>"));
        Assert.StartsWith("550 5.7.1", await raw.CommandAsync("RCPT TO:<victim@sink.test>"));
    }

    async Task<HttpResponseMessage> PostAsync(byte[] report)
    {
        var content = new ByteArrayContent(report);
        content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        return await Relay.Api.PostAsync("/v1/complaints", content);
    }

    static byte[] Arf(byte[] original, string recipient)
    {
        var report = new MultipartReport("feedback-report")
        {
            new TextPart("plain") { Text = "This is an email abuse report for an email message received from the relay." },
            new MimePart("message", "feedback-report")
            {
                Content = new MimeContent(new MemoryStream(Encoding.ASCII.GetBytes(
                    $"Feedback-Type: abuse\r\nUser-Agent: ExampleFBL/1.0\r\nVersion: 1\r\nOriginal-Rcpt-To: rfc822;{recipient}\r\n"))),
            },
            new MessagePart { Message = MimeMessage.Load(new MemoryStream(original)) },
        };
        var arf = new MimeMessage();
        arf.From.Add(MailboxAddress.Parse("fbl@isp.example"));
        arf.To.Add(MailboxAddress.Parse("complaints@relay.test"));
        arf.Subject = "Abuse report";
        arf.Body = report;
        using var stream = new MemoryStream();
        arf.WriteTo(stream);
        return stream.ToArray();
    }
}
