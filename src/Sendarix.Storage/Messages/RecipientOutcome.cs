using Sendarix.Core.Events;
using Sendarix.Core.Ids;

namespace Sendarix.Storage.Messages;

/// <summary>
/// The result of one delivery attempt for one recipient: a new state and the event that records it, with the bounce
/// category (e.g. "invalid_recipient") of any outcome other than a delivery, and the egress IP the attempt left from.
/// </summary>
public sealed record RecipientOutcome(
    MessageId MessageId,
    int RecipientIndex,
    string Recipient,
    EventType Type,
    int Attempts,
    string? Reply,
    DateTimeOffset Time,
    DateTimeOffset? NextAttempt,
    string? RemoteHost,
    string? Category = null,
    string? EgressIp = null);
