using System.Text.RegularExpressions;
using MimeKit;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>
/// Messages of a load test that say which they are: a marker in the subject and on a start and an end line around
/// about 1 KB of body, so a sink can count the complete copies of each (a copy cut off by a kill has no end line).
/// </summary>
internal static partial class MarkedMail
{
    // Short lines, so the body goes as 7bit text and the markers arrive verbatim.
    static readonly string Filler = string.Concat(Enumerable.Repeat(new string('x', 64) + "\r\n", 16));

    public static MimeMessage Create(string marker, string from, string to)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = marker;
        message.Body = new TextPart("plain") { Text = $"start {marker}\r\n{Filler}end {marker}\r\n" };
        return message;
    }

    /// <summary>How many complete copies of each marker the sink holds.</summary>
    public static Dictionary<string, int> Complete(IEnumerable<ReceivedMail> messages)
    {
        var counts = new Dictionary<string, int>();
        foreach (var m in messages)
        {
            if (EndOf().Match(m.Text) is { Success: true } end)
            {
                counts[end.Groups[1].Value] = counts.GetValueOrDefault(end.Groups[1].Value) + 1;
            }
        }

        return counts;
    }

    /// <summary>A copy that began but was cut off before its end line.</summary>
    public static bool IsPartial(ReceivedMail message) => StartOf().IsMatch(message.Text) && !EndOf().IsMatch(message.Text);

    [GeneratedRegex(@"^end (\S+)\r?$", RegexOptions.Multiline)]
    private static partial Regex EndOf();

    [GeneratedRegex(@"^start \S+\r?$", RegexOptions.Multiline)]
    private static partial Regex StartOf();
}

/// <summary>Waits that fail with what the processes under test said last, not only with the time-out.</summary>
internal static class Expectation
{
    public static async Task ThatAsync(Task wait, string what, Func<string> context)
    {
        try
        {
            await wait;
        }
        catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"Failed waiting for {what}: {ex.GetType().Name}: {ex.Message}\n{context()}");
        }
    }

    public static async Task<T> ThatAsync<T>(Task<T> wait, string what, Func<string> context)
    {
        await ThatAsync((Task)wait, what, context);
        return await wait;
    }
}
