using System.Collections.ObjectModel;

namespace Sendarix.Storage.Messages;

/// <summary>A message as the management API shows it; <see cref="MessageIdHeader"/> is the client's Message-ID, without its angle brackets.</summary>
public sealed record MessageView(
    string Id,
    string TenantId,
    string From,
    DateTimeOffset AcceptedAt,
    long Size,
    IReadOnlyList<RecipientState> Recipients,
    IReadOnlyList<MessageEvent>? Events,
    string? MessageIdHeader = null,
    string? Subject = null)
{
    /// <summary>The client's tags, in the order first given.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The client's metadata, keys as written, in the order first given.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = ReadOnlyDictionary<string, string>.Empty;
}
