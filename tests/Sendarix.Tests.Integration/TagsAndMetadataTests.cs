using System.Net;
using System.Text;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// Tags and metadata set in headers, in the relay's own style and the providers': read at acceptance, taken out of the
/// message before it is stored (so the destination gets, and DKIM covers, the message without them), limited, and
/// shown by the API.
/// </summary>
[Collection(RelayCollection.Name)]
public sealed class TagsAndMetadataTests(RelayFixture fixture)
{
    Relay Relay => fixture.Relay;

    [Fact]
    public async Task MailKit_with_every_style_of_header_gets_them_stored_and_the_destination_gets_the_rest_byte_for_byte_and_signed()
    {
        var tenant = await Relay.CreateTenantAsync("Tags");
        var to = $"tags-{Guid.NewGuid():N}@sink.test";
        var (sent, expected) = Compose(
            Kept($"From: <{tenant.Sender}>\r\n"),
            Kept($"To: <{to}>\r\n"),
            Tag("X-Sendarix-Tag: welcome\r\n"),
            Kept("Subject: Tags from every style\r\n"),
            Tag("X-Sendarix-Metadata-OrderId: 42\r\n"),
            Tag("x-pm-tag: welcome\r\n"),
            Tag("X-PM-Metadata-Plan: =?utf-8?q?gr=C3=BCn?=\r\n"),
            Tag("X-SMTPAPI: {\"category\": [\"newsletter\", \"weekly\"], \"unique_args\": {\"campaign\": \"spring\"},\r\n" +
                " \"custom_args\": {\"OrderId\": \"43\"}, \"filters\": {\"clicktrack\": {\"settings\": {\"enable\": 0}}}}\r\n"),
            Tag("X-SES-MESSAGE-TAGS: region = eu-west , source=app\r\n"),
            Kept("X-Sendarix-Taggy: not a tag field\r\n"),
            Kept($"Message-ID: <{Guid.NewGuid():N}@client.test>\r\n"),
            Kept("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"),
            Kept("\r\nOnly fields above the empty line are read.\r\nX-Sendarix-Tag: in-the-body\r\nGrüße\r\n"));

        using var client = new SmtpClient { ServerCertificateValidationCallback = (_, _, _, _) => true };
        await client.ConnectAsync("127.0.0.1", Relay.StartTlsPort, SecureSocketOptions.StartTls);
        await client.AuthenticateAsync(tenant.Username, tenant.Secret);
        using var stream = new MemoryStream(sent);
        var reply = await client.SendAsync(await MimeMessage.LoadAsync(stream));
        await client.DisconnectAsync(true);

        var view = await DeliveredAsync(tenant, to, Mail.QueuedId(reply), expected);
        Assert.Equal(["welcome", "newsletter", "weekly"], Tags(view));
        Assert.Equal([("OrderId", "43"), ("Plan", "grün"), ("campaign", "spring"), ("region", "eu-west"), ("source", "app")], Metadata(view));

        var page = await Relay.SearchAsync(tenant.TenantId, "tag=weekly", 1);
        Assert.Equal(["welcome", "newsletter", "weekly"], Tags(page.GetProperty("items")[0]));
    }

    [Fact]
    public async Task Python_with_folded_and_encoded_fields_last_before_the_body_gets_them_stored_and_the_rest_relayed_unchanged()
    {
        var tenant = await Relay.CreateTenantAsync();
        var to = $"tags-py-{Guid.NewGuid():N}@sink.test";
        var (sent, expected) = Compose(
            Kept($"From: <{tenant.Sender}>\r\n"),
            Tag($"X-PM-Tag: =?utf-8?b?{Convert.ToBase64String("Bestätigung"u8.ToArray())}?=\r\n"),
            Kept($"To: <{to}>\r\n"),
            Tag("X-Sendarix-Metadata-Customer: Zoë Müller\r\n"),
            Kept("Subject: Python\r\n"),
            Tag("X-SES-MESSAGE-TAGS: campaign=autumn,\r\n  source = python \r\n"),
            Kept($"Message-ID: <{Guid.NewGuid():N}@client.test>\r\n"),
            Tag("X-Sendarix-Tag: order\r\n receipt\r\n"),
            Kept("\r\n.a line that starts with a dot\r\nX-PM-Tag: in-the-body\r\n"));

        var (code, text) = await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", tenant, tenant.Sender, [to], sent);
        Assert.True(code == 250, $"{code} {text}");

        var view = await DeliveredAsync(tenant, to, Mail.QueuedId(text), expected);
        Assert.Equal(["Bestätigung", "order receipt"], Tags(view));
        Assert.Equal([("Customer", "Zoë Müller"), ("campaign", "autumn"), ("source", "python")], Metadata(view));
    }

    [Theory]
    [InlineData("😀", "characters beyond the BMP, each written as two escapes")]
    [InlineData("\"", "quotes, each escaped")]
    [InlineData("<", "a character HTML-safe escaping would write as six")]
    public async Task Ten_tags_fifty_keys_and_ten_kilobytes_in_all_are_taken_whatever_their_characters(string fill, string what)
    {
        // Tags "t0".."t9" (20 bytes) and keys "k00".."k49" (150) leave 10070 bytes to the 50 values: 221, then 201 each.
        var tenant = await Relay.CreateTenantAsync();
        var to = $"tags-limit-{Guid.NewGuid():N}@sink.test";
        var tags = Enumerable.Range(0, 10).Select(i => $"t{i}").ToList();
        var unit = Encoding.UTF8.GetByteCount(fill);
        var metadata = Enumerable.Range(0, 50).Select(i => (Key: $"k{i:D2}", Value: Fill(fill, unit, i == 0 ? 221 : 201))).ToList();
        Assert.Equal(10_240, tags.Sum(Encoding.UTF8.GetByteCount) + metadata.Sum(m => Encoding.UTF8.GetByteCount(m.Key) + Encoding.UTF8.GetByteCount(m.Value)));
        var message = Encoding.UTF8.GetBytes(
            $"From: <{tenant.Sender}>\r\nTo: <{to}>\r\nSubject: At the limits\r\n" +
            string.Concat(tags.Select(t => $"X-Sendarix-Tag: {t}\r\n")) + string.Concat(metadata.Select(m => $"X-Sendarix-Metadata-{m.Key}: {m.Value}\r\n")) +
            "\r\nbody\r\n");

        var (code, text) = await PythonSmtp.SubmitAsync(Relay.StartTlsPort, "starttls", tenant, tenant.Sender, [to], message);
        Assert.True(code == 250, $"{what}: {code} {text}");

        var view = await Relay.GetMessageAsync(Mail.QueuedId(text));
        Assert.Equal(tags, Tags(view));
        Assert.Equal(metadata, Metadata(view));
    }

    static string Fill(string fill, int unit, int bytes) => string.Concat(Enumerable.Repeat(fill, bytes / unit)) + new string('a', bytes % unit);

    [Theory]
    [InlineData("11 tags", "Too many tags: at most 10 a message")]
    [InlineData("51 keys", "Too many metadata keys: at most 50 a message")]
    [InlineData("11 KB", "Tags and metadata too large: at most 10240 bytes of UTF-8 in all")]
    [InlineData("X-SMTPAPI not an object", "X-SMTPAPI is not a JSON object")]
    public async Task Over_a_limit_the_message_is_refused_naming_the_limit_and_nothing_is_accepted(string what, string named)
    {
        var tenant = await Relay.CreateTenantAsync();
        var refused = $"tags-over-{Guid.NewGuid():N}@sink.test";
        var fields = what switch
        {
            "11 tags" => string.Concat(Enumerable.Range(0, 11).Select(i => $"X-Sendarix-Tag: t{i}\r\n")),
            "51 keys" => string.Concat(Enumerable.Range(0, 51).Select(i => $"X-PM-Metadata-k{i}: v\r\n")),
            "11 KB" => string.Concat(Enumerable.Range(0, 11).Select(i => $"X-Sendarix-Metadata-k{i}: {new string('x', 1000)}\r\n")),
            _ => "X-SMTPAPI: [\"category\", \"newsletter\"]\r\n",
        };

        await using var smtp = await RawSmtp.ConnectAsync(Relay.StartTlsPort);
        await smtp.SecureAsync();
        await smtp.LoginAsync(tenant);
        await smtp.CommandAsync($"MAIL FROM:<{smtp.From}>");
        await smtp.CommandAsync($"RCPT TO:<{refused}>");
        Assert.StartsWith("354", await smtp.CommandAsync("DATA"));
        await smtp.SendAsync($"From: <{smtp.From}>\r\nTo: <{refused}>\r\nSubject: {what}\r\n{fields}\r\nbody\r\n");
        Assert.StartsWith($"550 5.6.0 {named}", await smtp.CommandAsync("."));

        // The same session goes on; once its next message is delivered, the refused one would have been too.
        var next = $"tags-next-{Guid.NewGuid():N}@sink.test";
        await smtp.CommandAsync($"MAIL FROM:<{smtp.From}>");
        await smtp.CommandAsync($"RCPT TO:<{next}>");
        await smtp.CommandAsync("DATA");
        await smtp.SendAsync($"From: <{smtp.From}>\r\nTo: <{next}>\r\nSubject: next\r\nX-Sendarix-Tag: ok\r\n\r\nbody\r\n");
        var id = Mail.QueuedId(await smtp.CommandAsync("."));
        await Relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "delivered");

        Assert.DoesNotContain(fixture.Sink.Messages, m => m.Recipients.Contains(refused));
        var page = await Relay.SearchAsync(tenant.TenantId, "", 1);
        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal(id, item.GetProperty("id").GetString());
        Assert.Equal(["ok"], Tags(item));
    }

    /// <summary>
    /// Waits for the delivery; checks that the destination got <paramref name="expected"/> exactly (below the relay's
    /// DKIM-Signature and Received headers) and that dkimpy verifies the signature; returns the message from the API.
    /// </summary>
    async Task<JsonElement> DeliveredAsync(TenantCredential tenant, string to, string id, byte[] expected)
    {
        var view = await Relay.WaitForStatusAsync(id, TimeSpan.FromSeconds(30), "delivered");
        var delivered = Assert.Single(fixture.Sink.Messages, m => m.Recipients.Contains(to));
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(Mail.WithoutTopReceived(delivered.Data)));
        Assert.Equal(expected, Mail.WithoutTopReceived(delivered.Data));

        // What was stored is what was delivered: its size is the Received header and the expected bytes.
        Assert.Equal(delivered.Data.Length - Encoding.UTF8.GetByteCount(delivered.Text[..(delivered.Text.IndexOf("\r\nReceived: ", StringComparison.Ordinal) + 2)]),
            view.GetProperty("size").GetInt64());

        Assert.StartsWith("DKIM-Signature: ", delivered.Text);
        var domain = await Relay.ReadAsync(await Relay.Api.GetAsync($"/v1/tenants/{tenant.TenantId}/domains/{tenant.Domain}"), HttpStatusCode.OK);
        var dkim = domain.GetProperty("records").EnumerateArray().Single(r => r.GetProperty("kind").GetString() == "dkim");
        Assert.Equal("pass", await DkimVerifier.VerifyAsync(delivered.Data, dkim.GetProperty("name").GetString()!, dkim.GetProperty("value").GetString()!));
        return view;
    }

    static (string Text, bool IsTag) Tag(string text) => (text, true);

    static (string Text, bool IsTag) Kept(string text) => (text, false);

    /// <summary>The message as the client sends it, and as the destination must get it: the same bytes without the tag fields.</summary>
    static (byte[] Sent, byte[] Expected) Compose(params (string Text, bool IsTag)[] parts) =>
        (Encoding.UTF8.GetBytes(string.Concat(parts.Select(p => p.Text))), Encoding.UTF8.GetBytes(string.Concat(parts.Where(p => !p.IsTag).Select(p => p.Text))));

    static List<string> Tags(JsonElement message) => message.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToList();

    static List<(string, string)> Metadata(JsonElement message) =>
        message.GetProperty("metadata").EnumerateObject().Select(m => (m.Name, m.Value.GetString()!)).ToList();
}
