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
