namespace Sendarix.Core.Spam;

/// <summary>rspamd's actions, mildest first (its names: "no action", "greylist", "add header", "rewrite subject", "soft reject", "reject").</summary>
public enum SpamAction
{
    NoAction,
    Greylist,
    AddHeader,
    RewriteSubject,
    SoftReject,
    Reject,
}

/// <summary>One rule that fired, with what it added to the score.</summary>
public sealed record SpamSymbol(string Name, double Score);

/// <summary>
/// What the filter said about a message, stored with it and carried on its events: rspamd's score, the score at which
/// it rejects, its action and the rules that weighed most. An unscanned verdict says why there is none (the filter was
/// down or slow and the relay fails open), so a reader never takes a missing scan for a clean one.
/// </summary>
public sealed record SpamVerdict(double Score, double RequiredScore, SpamAction Action, IReadOnlyList<SpamSymbol> Symbols, string? Unscanned = null)
{
    /// <summary>The most symbols a verdict keeps: the ones that weighed most, enough to say why.</summary>
    public const int MaxSymbols = 10;

    /// <summary>rspamd would reject it: the message is spam.</summary>
    public bool IsSpam => Unscanned is null && Action == SpamAction.Reject;

    /// <summary>A verdict for a message the filter could not scan in time.</summary>
    public static SpamVerdict NotScanned(string why) => new(0, 0, SpamAction.NoAction, [], why);
}
