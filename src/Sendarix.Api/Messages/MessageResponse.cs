using Sendarix.Core.Events;
using Sendarix.Core.Search;
using Sendarix.Storage.Messages;
using Sendarix.Storage.Search;

namespace Sendarix.Api.Messages;

/// <summary>
/// A message as the API shows it: the acceptance, each recipient's standing (its last event) and, for a single
/// message, the events themselves in the form webhooks deliver them. <see cref="MessageIdHeader"/> is the client's
/// Message-ID, without its angle brackets.
/// </summary>
public sealed record MessageResponse(
    string Id,
    string TenantId,
    string From,
    DateTimeOffset AcceptedAt,
    long Size,
    string? MessageIdHeader,
    string? Subject,
    IReadOnlyList<string> Tags,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<RecipientResponse> Recipients,
    IReadOnlyList<EventDocument>? Events,
    string? Subtenant)
{
    public static MessageResponse Of(LedgerMessage message, bool withEvents)
    {
        var latest = RecipientHistory.Latest(message.Events);
        var recipients = message.Recipients.Select((address, i) => latest.TryGetValue(i, out var e)
            ? new RecipientResponse(address, RecipientResponse.StatusOf(e.Type), e.Attempt, e.Type == EventType.Accepted ? null : e.Reply, e.Time, e.NextAttempt, e.BounceCategory)
            : new RecipientResponse(address, RecipientResponse.Queued, 0, null, message.AcceptedAt, null, null)).ToList();
        return new MessageResponse(message.Id.ToString(), message.Id.TenantId, message.Context.From, message.AcceptedAt, message.Size,
            message.Context.MessageIdHeader, message.Context.Subject, message.Context.Tags, message.Context.Metadata, recipients,
            withEvents ? message.Events.Select(EventDocument.Of).ToList() : null, message.Subtenant);
    }
}

/// <summary>Where a recipient stands: "queued", or the name of its last event ("deferred", "delivered", "bounced"...).</summary>
public sealed record RecipientResponse(
    string Address,
    string Status,
    int Attempts,
    string? LastReply,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? NextAttempt,
    string? BounceCategory)
{
    public const string Queued = RecipientStatus.Queued;

    public static string StatusOf(EventType type) => RecipientStatus.Name(type);

    public static RecipientResponse Of(RecipientStanding r) => new(r.Address, StatusOf(r.Status), r.Attempts, r.Reply, r.UpdatedAt, r.NextAttempt, r.BounceCategory);
}

/// <summary>A message as a search finds it: the acceptance and each recipient's standing; its events are one call away.</summary>
public sealed record MessageSummaryResponse(
    string Id,
    string TenantId,
    string? Subtenant,
    string From,
    DateTimeOffset AcceptedAt,
    string? MessageIdHeader,
    string? Subject,
    IReadOnlyList<string> Tags,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<RecipientResponse> Recipients)
{
    public static MessageSummaryResponse Of(MessageSummary m) =>
        new(m.MessageId, m.TenantId, m.Subtenant, m.From, m.AcceptedAt, m.MessageIdHeader, m.Subject, m.Tags, m.Metadata, [.. m.Recipients.Select(RecipientResponse.Of)]);
}

/// <summary>A page of messages; pass <see cref="Next"/> as 'next' for the page after it (null: there is none).</summary>
public sealed record MessagePage(IReadOnlyList<MessageSummaryResponse> Items, string? Next)
{
    public static MessagePage Of(SearchPage page) => new([.. page.Items.Select(MessageSummaryResponse.Of)], page.Next);
}
