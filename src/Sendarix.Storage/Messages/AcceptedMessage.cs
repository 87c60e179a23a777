using Sendarix.Core.Ids;

namespace Sendarix.Storage.Messages;

/// <summary>A message as the front-end received it, ready to be made durable.</summary>
public sealed record AcceptedMessage(
    MessageId Id,
    string From,
    IReadOnlyList<string> Recipients,
    ReadOnlyMemory<byte> Body,
    DateTimeOffset AcceptedAt,
    string? ClientAddress);
