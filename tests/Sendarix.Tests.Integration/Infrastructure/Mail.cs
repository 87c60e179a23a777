using System.Text;
using System.Text.RegularExpressions;

namespace Sendarix.Tests.Integration.Infrastructure;

internal static partial class Mail
{
    /// <summary>A small message with CRLF line ends, a dot-led line (to exercise dot-stuffing) and 8-bit text.</summary>
    public static byte[] Sample(string from, string to, string subject) => Encoding.UTF8.GetBytes(
        $"From: <{from}>\r\nTo: <{to}>\r\nSubject: {subject}\r\nMessage-ID: <{Guid.NewGuid():N}@client.test>\r\n" +
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" +
        "Hello from the tests.\r\n.a line that starts with a dot\r\n..and one with two\r\nGrüße, ✓\r\n");

    /// <summary>The message id from a "250 2.0.0 OK: queued as ID" reply.</summary>
    public static string QueuedId(string reply)
    {
        var match = QueuedAs().Match(reply);
        Assert.True(match.Success, $"Not a queued reply: {reply}");
        return match.Groups[1].Value;
    }

    /// <summary>What the relay delivered, minus the headers it put on top: its DKIM-Signature (if any) and Received.</summary>
    public static byte[] WithoutTopReceived(byte[] delivered)
    {
        var text = Encoding.UTF8.GetString(delivered);
        if (text.StartsWith("DKIM-Signature: ", StringComparison.Ordinal))
        {
            text = text[EndOfHeader(text)..];
        }

        Assert.StartsWith("Received: ", text, StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(text[EndOfHeader(text)..]);
    }

    static int EndOfHeader(string text)
    {
        var end = 0;
        do
        {
            end = text.IndexOf("\r\n", end, StringComparison.Ordinal) + 2;
        }
        while (text[end] is ' ' or '\t');
        return end;
    }

    [GeneratedRegex(@"queued as (\S+)")]
    private static partial Regex QueuedAs();
}
