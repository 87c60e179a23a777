using System.Text.RegularExpressions;

namespace Sendarix.Core.Events;

/// <summary>Finds the RFC 3463 status code ("class.subject.detail") at the start of a reply's text.</summary>
public static partial class EnhancedStatusCode
{
    public static string? Of(string? reply) => reply is null ? null : Code().Match(reply) is { Success: true } m ? m.Groups[1].Value : null;

    // After the basic code when there is one ("550 5.1.1 ..."), or at the start (the relay's own "4.4.1 ..." texts).
    [GeneratedRegex(@"^(?:\d{3}[ -])?([245]\.\d{1,3}\.\d{1,3})(?: |$)")]
    private static partial Regex Code();
}
