namespace Sendarix.Core.Events;

/// <summary>
/// The public form of an event: what the API lists and what a webhook's <c>data</c> carries, one shape for both.
/// Fields that do not apply to an event's type are null (never missing), so consumers can rely on the schema.
/// </summary>
public sealed record EventDocument(
    int SchemaVersion,
    string Id,
    string Type,
    DateTimeOffset Time,
    string TenantId,
    string? MessageId,
    string? MessageIdHeader,
    string? Subject,
    string? From,
    string? Recipient,
    int? Sequence,
    int? Attempt,
    string? Reply,
    string? EnhancedStatus,
    string? BounceCategory,
    bool? Permanent,
    string? RemoteHost,
    string? EgressIp,
    DateTimeOffset? NextAttempt,
    IReadOnlyList<string>? Tags,
    IReadOnlyDictionary<string, string>? Metadata,
    bool Sandbox,
    string? Username,
    string? RemoteAddress,
    string? Detail,
    string? EndpointId,
    string? EnvelopeId = null,
    string? OriginalRecipient = null,
    string? Subtenant = null,
    SpamDocument? Spam = null)
{
    public static EventDocument Of(RelayEvent e)
    {
        var message = EventTypes.IsMessageEvent(e.Type);
        return new EventDocument(e.SchemaVersion, e.Id, EventTypes.Name(e.Type), e.Time, e.TenantId,
            e.Message?.MessageId, e.Message?.MessageIdHeader, e.Message?.Subject, e.Message?.From,
            e.Recipient, message ? e.Sequence : null, message ? e.Attempt : null, e.Reply, e.EnhancedStatus, e.BounceCategory, e.Permanent,
            e.RemoteHost, e.EgressIp, e.NextAttempt, e.Message?.Tags, e.Message?.Metadata, e.Sandbox,
            e.Username, e.RemoteAddress, e.Detail, e.EndpointId, e.Message?.EnvelopeId, e.OriginalRecipient, e.Subtenant,
            e.Spam is null ? null : SpamDocument.Of(e.Spam));
    }
}

/// <summary>
/// A spam verdict as events show it: rspamd's score, the score it rejects at, its action ("no action", "add header",
/// "reject"...) and the symbols that weighed most; or, with <see cref="Unscanned"/>, why the message was not scanned.
/// </summary>
public sealed record SpamDocument(double Score, double RequiredScore, string Action, IReadOnlyList<Spam.SpamSymbol> Symbols, string? Unscanned)
{
    public static SpamDocument Of(Spam.SpamVerdict v) =>
        new(v.Score, v.RequiredScore, v.Unscanned is null ? Spam.RspamdReply.Name(v.Action) : "unscanned", v.Symbols, v.Unscanned);
}
