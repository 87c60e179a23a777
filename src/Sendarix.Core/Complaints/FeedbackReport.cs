using System.Text.RegularExpressions;

namespace Sendarix.Core.Complaints;

/// <summary>
/// The parts of an ARF feedback report (RFC 5965) the relay acts on, and how it finds its own message in the
/// returned original: the relay's Received header names the message id ("with ESMTPSA id {id}").
/// </summary>
public static partial class FeedbackReport
{
    /// <summary>The message id in the relay's Received header among <paramref name="receivedHeaders"/>, or null.</summary>
    public static string? RelayMessageId(IEnumerable<string> receivedHeaders) =>
        receivedHeaders.Select(h => RelayId().Match(h)).FirstOrDefault(m => m.Success)?.Groups[1].Value;

    /// <summary>The address of an "Original-Rcpt-To: rfc822;x@y" field (RFC 5965 3.2), or null.</summary>
    public static string? RecipientFromField(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var semicolon = value.IndexOf(';');
        var address = (semicolon >= 0 ? value[(semicolon + 1)..] : value).Trim().Trim('<', '>');
        return address.Contains('@') ? address : null;
    }

    [GeneratedRegex(@"with ESMTPSA id ([a-z0-9]+-[a-z0-9]+)", RegexOptions.IgnoreCase)]
    private static partial Regex RelayId();
}
