using System.Collections.ObjectModel;

namespace Sendarix.Core.Tags;

/// <summary>
/// A message's tags and metadata as the client set them: tags in the order first given, metadata keys as the client
/// wrote them (compared exactly) in the order first given, each with the last value given.
/// </summary>
public sealed record MessageTags(IReadOnlyList<string> Tags, IReadOnlyDictionary<string, string> Metadata)
{
    public static MessageTags None { get; } = new([], ReadOnlyDictionary<string, string>.Empty);
}
