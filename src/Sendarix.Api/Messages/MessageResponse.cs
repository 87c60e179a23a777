using Sendarix.Core.Events;
using Sendarix.Storage.Messages;

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
    IReadOnlyList<EventDocument>? Events)
{
    public static MessageResponse Of(LedgerMessage message, bool withEvents)
    {
        var latest = RecipientHistory.Latest(message.Events);
        var recipients = message.Recipients.Select((address, i) => latest.TryGetValue(i, out var e)
            ? new RecipientResponse(address, RecipientResponse.StatusOf(e.Type), e.Attempt, e.Type == EventType.Accepted ? null : e.Reply, e.Time, e.NextAttempt, e.BounceCategory)
            : new RecipientResponse(address, RecipientResponse.Queued, 0, null, message.AcceptedAt, null, null)).ToList();
        return new MessageResponse(message.Id.ToString(), message.Id.TenantId, message.Context.From, message.AcceptedAt, message.Size,
            message.Context.MessageIdHeader, message.Context.Subject, message.Context.Tags, message.Context.Metadata, recipients,
            withEvents ? message.Events.Select(EventDocument.Of).ToList() : null);
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
    public const string Queued = "queued";

    public static string StatusOf(EventType type) => type == EventType.Accepted ? Queued : EventTypes.Name(type);
}

public sealed record MessagePage(IReadOnlyList<MessageResponse> Items, string? Next);
