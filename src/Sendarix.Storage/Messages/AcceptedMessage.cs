using Sendarix.Core.Ids;

namespace Sendarix.Storage.Messages;

/// <summary>
/// A message as the front-end received it, ready to be made durable, with the client's own Message-ID and Subject
/// headers (for the API and the events that will report on it).
/// </summary>
public sealed record AcceptedMessage(
    MessageId Id,
    string From,
    IReadOnlyList<string> Recipients,
    ReadOnlyMemory<byte> Body,
    DateTimeOffset AcceptedAt,
    string? ClientAddress,
    string? MessageIdHeader = null,
    string? Subject = null);
