using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MimeKit;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>A feedback-loop report (ARF) posted to the API becomes a complained event and a suppression.</summary>
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
