using System.Globalization;
using System.Text;
using MimeKit;
using MimeKit.Text;

namespace Sendarix.Bench;

/// <summary>The message each connection sends: plain 7-bit text padded so that it is exactly the requested size on the wire.</summary>
internal static class BenchMessage
{
    const string Domain = "bench.example";

    /// <summary>How MailKit writes a message in DATA (CRLF line ends); used here only to measure it.</summary>
    static readonly FormatOptions Wire = CreateWire();

    public static MimeMessage Create(int size, int connection)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Bench", $"bench{connection}@{Domain}"));
        message.To.Add(new MailboxAddress("Sink", "sink@sink.example"));
        message.Subject = "Sendarix benchmark message";
        message.Date = DateTimeOffset.UtcNow;
        NewId(message);
        var part = new TextPart(TextFormat.Plain) { ContentTransferEncoding = ContentEncoding.SevenBit };
        message.Body = part;

        // Pad, measure, correct: the headers' length is not known until the message is written.
        var padding = 0;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            part.Text = Padding(padding);
            var actual = Measure(message);
            if (actual == size)
            {
                return message;
            }

            padding = Math.Max(0, padding + size - (int)actual);
        }

        throw new InvalidOperationException($"Could not make a message of exactly {size} bytes (got {Measure(message)}).");
    }

    /// <summary>
    /// A message as application code builds one for each send: addresses, a subject with the order number, and text
    /// and HTML alternatives (BodyBuilder) whose lengths add up to about <paramref name="size"/> bytes on the wire.
    /// </summary>
    public static MimeMessage Build(int size, int connection, int sequence)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Bench Shop", $"bench{connection}@{Domain}"));
        message.To.Add(new MailboxAddress("Customer " + sequence, "sink@sink.example"));
        message.Subject = $"Your order {connection}-{sequence} has shipped";
        message.Date = DateTimeOffset.UtcNow;
        NewId(message);

        // About 700 bytes of headers and MIME framing; the rest split between the two alternatives.
        var room = Math.Max(200, size - 700);
        var order = $"{connection}-{sequence}";
        var text = new StringBuilder($"Hello,\r\n\r\nyour order {order} is on its way.\r\n");
        var html = new StringBuilder($"<html><body><p>Hello,</p><p>your order <b>{order}</b> is on its way.</p><ul>");
        for (var line = 0; text.Length < room * 2 / 5; line++)
        {
            text.Append(CultureInfo.InvariantCulture, $"Item {line}: {Padding(40)} shipped\r\n");
        }

        for (var line = 0; html.Length < room * 3 / 5; line++)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li>Item {line}: {Padding(40)}</li>");
        }

        html.Append("</ul></body></html>");
        var body = new BodyBuilder { TextBody = text.ToString(), HtmlBody = html.ToString() };
        message.Body = body.ToMessageBody();
        return message;
    }

    /// <summary>A new Message-Id of constant length, so the size stays the same from one message to the next.</summary>
    public static void NewId(MimeMessage message) => message.MessageId = $"{Guid.NewGuid():N}@{Domain}";

    static long Measure(MimeMessage message)
    {
        using var stream = new MemoryStream();
        message.WriteTo(Wire, stream);
        return stream.Length;
    }

    // Lines of 76 characters and CRLF, like a mail body; the last line carries the remainder.
    static string Padding(int bytes)
    {
        var text = new StringBuilder(bytes);
        var line = 0;
        while (text.Length < bytes)
        {
            var remaining = bytes - text.Length;
            if (line == 76 && remaining >= 2)
            {
                text.Append("\r\n");
                line = 0;
                continue;
            }

            text.Append((char)('a' + (text.Length % 26)));
            line++;
        }

        return text.ToString();
    }

    static FormatOptions CreateWire()
    {
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        return options;
    }
}
