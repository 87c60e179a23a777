using System.Text;

namespace Sendarix.Core.Spam;

/// <summary>What the relay does with a scanned (or unscannable) message.</summary>
public enum SpamDecision
{
    /// <summary>Relay it as it is.</summary>
    Accept,

    /// <summary>Relay it with the verdict's header fields added.</summary>
    Tag,

    /// <summary>Store it, with the verdict's header fields, and hold it back from delivery.</summary>
    Hold,

    /// <summary>Refuse it: 550 5.7.1, nothing stored.</summary>
    Reject,

    /// <summary>The filter could not answer and the relay fails closed: 451 4.7.1.</summary>
    TryLater,
}

/// <summary>
/// The spam policy's rules, apart from the I/O of scanning: what a verdict means under a tenant's policy, the header
/// fields that carry it, and the words of the replies.
/// </summary>
public static class SpamRules
{
    /// <summary>The header fields the relay adds; a client's own are removed first, so no sender can claim a clean verdict.</summary>
    public const string StatusField = "X-Spam-Status";

    public const string FlagField = "X-Spam";

    public static bool IsVerdictField(ReadOnlySpan<byte> name) => Ascii.EqualsIgnoreCase(name, StatusField) || Ascii.EqualsIgnoreCase(name, FlagField);

    public static SpamDecision Decide(SpamPolicy policy, SpamVerdict verdict, SpamFailureMode failure)
    {
        if (policy == SpamPolicy.Off)
        {
            return SpamDecision.Accept;
        }

        if (verdict.Unscanned is not null)
        {
            return failure == SpamFailureMode.Closed ? SpamDecision.TryLater : SpamDecision.Accept;
        }

        if (verdict.IsSpam)
        {
            return policy switch
            {
                SpamPolicy.Hold => SpamDecision.Hold,
                SpamPolicy.Reject => SpamDecision.Reject,
                _ => SpamDecision.Tag,
            };
        }

        // Under tag, every verdict is written down; otherwise only rspamd's "probable spam" (add header, rewrite subject).
        return policy == SpamPolicy.Tag || verdict.Action is SpamAction.AddHeader or SpamAction.RewriteSubject ? SpamDecision.Tag : SpamDecision.Accept;
    }

    /// <summary>The header fields that carry a verdict: X-Spam-Status always, X-Spam: Yes for spam and probable spam.</summary>
    public static string Header(SpamVerdict verdict)
    {
        var flagged = verdict.Action >= SpamAction.AddHeader && verdict.Action != SpamAction.SoftReject;
        var header = new StringBuilder(StatusField).Append(": ").Append(flagged ? "Yes" : "No")
            .Append(", score=").Append(RspamdReply.Format(verdict.Score))
            .Append(" required=").Append(RspamdReply.Format(verdict.RequiredScore))
            .Append(" action=").Append(RspamdReply.Name(verdict.Action).Replace(' ', '_'));
        if (verdict.Symbols.Count > 0)
        {
            header.Append("\r\n\tsymbols=").AppendJoin(',', verdict.Symbols.Select(s => s.Name));
        }

        header.Append("\r\n");
        if (flagged)
        {
            header.Append(FlagField).Append(": Yes\r\n");
        }

        return header.ToString();
    }

    /// <summary>The reason a refused message is given: the score and the rules that weighed most (the symbols rspamd named).</summary>
    public static string RefusalReason(SpamVerdict verdict)
    {
        var top = verdict.Symbols.Where(s => s.Score > 0 || verdict.Symbols.Count <= 3).Take(3).Select(s => s.Name).ToList();
        return $"score {RspamdReply.Format(verdict.Score)} of {RspamdReply.Format(verdict.RequiredScore)}" + (top.Count > 0 ? ": " + string.Join(", ", top) : "");
    }
}
