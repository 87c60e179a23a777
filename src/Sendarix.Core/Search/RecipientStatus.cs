using Sendarix.Core.Events;

namespace Sendarix.Core.Search;

/// <summary>A recipient's status by name: "queued" until its first attempt, then its last event's name ("delivered", "deferred"...).</summary>
public static class RecipientStatus
{
    public const string Queued = "queued";

    public static string Name(EventType type) => type == EventType.Accepted ? Queued : EventTypes.Name(type);

    /// <summary>The last event a status names; only message events are statuses.</summary>
    public static bool TryParse(string? name, out EventType type)
    {
        if (name == Queued)
        {
            type = EventType.Accepted;
            return true;
        }

        return EventTypes.TryParse(name, out type) && EventTypes.IsMessageEvent(type) && type != EventType.Accepted;
    }

    /// <summary>Every status, by name.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. EventTypes.All.Where(EventTypes.IsMessageEvent).Select(Name)];
}
