using Sendarix.Core.Events;
using Sendarix.Core.Ids;

namespace Sendarix.Storage.Messages;

/// <summary>
/// A stored message: its acceptance (envelope, size, where its body is, the context its events carry, the sub-tenant it
/// belongs to) and its events in order.
/// </summary>
public sealed record LedgerMessage(
    MessageId Id,
    DateTimeOffset AcceptedAt,
    long Size,
    IReadOnlyList<string> Recipients,
    EventMessage Context,
    IReadOnlyList<RelayEvent> Events,
    BodyRef? Body = null,
    string? Subtenant = null)
{
    /// <summary>The keys of the rows its events were read from (a row may hold several), for deleting them.</summary>
    public IReadOnlyList<string> EventRows { get; init; } = [];
}
