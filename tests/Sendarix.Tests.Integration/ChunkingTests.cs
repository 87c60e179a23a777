using System.Text;
using System.Text.Json;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;
using Sendarix.Tests.Integration.Infrastructure;

namespace Sendarix.Tests.Integration;

/// <summary>
/// CHUNKING (RFC 3030): MailKit sends with BDAT when it is offered and preferred; a raw client outside .NET pipelines chunks and
/// walks the RFC's error cases; a message sent in chunks is relayed byte for byte.
/// </summary>
[Collection(RelayCollection.Name)]
public sealed class ChunkingTests(RelayFixture fixture)
{
    Relay Relay => fixture.Relay;

    [Fact]
    public async Task MailKit_sends_with_bdat_and_the_message_arrives_unchanged()
    {
        var tenant = await Relay.CreateTenantAsync("Chunking MailKit");
        var to = $"bdat-mailkit-{Guid.NewGuid():N}@sink.test";
        var message = MimeMessage.Load(new MemoryStream(Mail.Sample(tenant.Sender, to, "Chunked by MailKit")));
        var transcript = new MemoryStream();
        using (var client = new ChunkingClient(new ProtocolLogger(transcript, leaveOpen: true)))
        {
            client.ServerCertificateValidationCallback = (_, _, _, _) => true;
            await client.ConnectAsync("127.0.0.1", Relay.StartTlsPort, SecureSocketOptions.StartTls);
            await client.AuthenticateAsync(tenant.Username, tenant.Secret);
            Assert.True(client.Capabilities.HasFlag(SmtpCapabilities.Chunking));
            await client.SendAsync(message);
            await client.DisconnectAsync(true);
        }

        var log = Encoding.UTF8.GetString(transcript.ToArray());
        Assert.Matches(@"C: BDAT \d+ LAST", log);
        Assert.DoesNotContain("C: DATA", log);
        var delivered = await DeliveredAsync(to);
        // What MailKit sent, as it prepared the message for sending.
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        var sent = new MemoryStream();
        await message.WriteToAsync(format, sent);
        Assert.Equal(sent.ToArray(), Mail.WithoutTopReceived(delivered.Data));
    }

    [Fact]
    public async Task Pipelined_chunks_from_a_raw_client_are_relayed_byte_for_byte()
    {
        var tenant = await Relay.CreateTenantAsync("Chunking raw");
        var to = $"bdat-raw-{Guid.NewGuid():N}@sink.test";
        // 8-bit text, lines that begin with one dot, two dots, and a dot alone: no dot-stuffing applies to BDAT.
        var message = Encoding.UTF8.GetBytes(
            $"From: <{tenant.Sender}>\r\nTo: <{to}>\r\nSubject: Chunks\r\nMessage-ID: <{Guid.NewGuid():N}@client.test>\r\n" +
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
            ".one dot\r\n..two dots\r\n.\r\nGrüße, ✓\r\n\r\n.\r\nlast line\r\n");
        // Cut between a CR and its LF, and in the middle of a UTF-8 sequence.
        var cutA = Array.IndexOf(message, (byte)'\n', 40);
        var cutB = Array.IndexOf(message, (byte)0xC3) + 1;
        var first = message[..cutA];
        var second = message[cutA..cutB];
        var third = message[cutB..];

        var replies = await RunAsync(tenant,
            Step(6, Ascii($"MAIL FROM:<{tenant.Sender}>\r\nRCPT TO:<{to}>\r\n"), Chunk(first), Chunk(second), Chunk(third), Ascii("BDAT 0 LAST\r\n")));

        var all = replies[0];
        Assert.StartsWith("250 2.1.0", all[0]);
        Assert.StartsWith("250 2.1.5", all[1]);
        Assert.Equal($"250 2.0.0 {first.Length} octets received", all[2]);
        Assert.Equal($"250 2.0.0 {second.Length} octets received", all[3]);
        Assert.Equal($"250 2.0.0 {third.Length} octets received", all[4]);
        Assert.Matches(@"^250 2\.0\.0 OK: queued as ", all[5]);
        var delivered = await DeliveredAsync(to);
        Assert.Equal(message, Mail.WithoutTopReceived(delivered.Data));
    }

    [Fact]
    public async Task The_rfc_3030_error_cases_get_their_replies_and_the_session_goes_on()
    {
        var tenant = await Relay.CreateTenantAsync("Chunking errors");
        var to = $"bdat-errors-{Guid.NewGuid():N}@sink.test";
        var mailRcpt = Ascii($"MAIL FROM:<{tenant.Sender}>\r\nRCPT TO:<{to}>\r\n");
        var message = Mail.Sample(tenant.Sender, to, "After the errors");

        var replies = await RunAsync(tenant,
            // A chunk before MAIL is read and refused.
            Step(1, Chunk("hello"u8.ToArray())),
            // A size that is not a number.
            Step(1, Ascii("BDAT many\r\n")),
            // DATA after a chunk, and RCPT after a chunk; RSET ends the transaction.
            Step(6, mailRcpt, Chunk("hello"u8.ToArray()), Ascii("DATA\r\n"), Ascii($"RCPT TO:<{to}>\r\n"), Ascii("RSET\r\n")),
            // A message over the size limit (50 MB) is read to its end and refused at its last chunk.
            Step(4, mailRcpt, Chunk(new byte[30 << 20]), Chunk(new byte[25 << 20], last: true)),
            // The bare line break rule applies as it does to DATA.
            Step(3, mailRcpt, Chunk(Encoding.ASCII.GetBytes($"From: <{tenant.Sender}>\r\nSubject: bare\r\n\r\nline\nbreak\r\n"), last: true)),
            // The session still works: a whole message in one chunk...
            Step(3, mailRcpt, Chunk(message, last: true)),
            // ...and a chunk after the LAST one belongs to no transaction.
            Step(1, Chunk("late"u8.ToArray(), last: true)));

        Assert.Equal(["503 5.5.1 Bad sequence of commands (MAIL first)"], replies[0]);
        Assert.Equal(["501 5.5.4 Syntax: BDAT chunk-size [LAST]"], replies[1]);
        Assert.StartsWith("250 2.0.0 5 octets received", replies[2][2]);
        Assert.Equal("503 5.5.1 DATA may not follow BDAT in one transaction", replies[2][3]);
        Assert.Equal("503 5.5.1 RCPT may not follow BDAT in one transaction", replies[2][4]);
        Assert.StartsWith("250", replies[2][5]);
        Assert.Equal(["250 2.0.0 31457280 octets received", "552 5.3.4 Message size exceeds fixed maximum message size"], replies[3][2..]);
        Assert.StartsWith("554 5.6.0", replies[4][2]);
        Assert.Matches(@"^250 2\.0\.0 OK: queued as ", replies[5][2]);
        Assert.StartsWith("503 5.5.1", replies[6][0]);
        var delivered = await DeliveredAsync(to);
        Assert.Equal(message, Mail.WithoutTopReceived(delivered.Data));
    }

    async Task<ReceivedMail> DeliveredAsync(string to) =>
        (await Eventually.GetAsync(() => Task.FromResult(fixture.Sink.Messages.FirstOrDefault(m => m.Recipients.Contains(to))),
            m => m is not null, TimeSpan.FromSeconds(30), "the message at the sink"))!;

    async Task<List<List<string?>>> RunAsync(TenantCredential tenant, params (byte[] Send, int Replies)[] steps)
    {
        var output = await PythonScript.RunWithFileAsync("python3", "bdat.py",
            JsonSerializer.SerializeToUtf8Bytes(steps.Select(s => new { send = Convert.ToBase64String(s.Send), replies = s.Replies })),
            "127.0.0.1", Relay.StartTlsPort.ToString(), tenant.Username, tenant.Secret, "{file}");
        return JsonSerializer.Deserialize<List<List<string?>>>(output)!;
    }

    static (byte[] Send, int Replies) Step(int replies, params byte[][] parts) => ([.. parts.SelectMany(p => p)], replies);

    static byte[] Chunk(byte[] octets, bool last = false) => [.. Ascii($"BDAT {octets.Length}{(last ? " LAST" : "")}\r\n"), .. octets];

    static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>MailKit sends with BDAT where the server offers CHUNKING and the message needs binary transfer, or where its subclass prefers it.</summary>
    sealed class ChunkingClient : SmtpClient
    {
        public ChunkingClient(IProtocolLogger logger) : base(logger)
        {
        }

        protected override bool PreferSendAsBinaryData => true;
    }
}
