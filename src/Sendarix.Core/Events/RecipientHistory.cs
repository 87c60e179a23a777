namespace Sendarix.Core.Events;

/// <summary>Where each recipient of a message stands: the event of its highest sequence number.</summary>
public static class RecipientHistory
{
    /// <summary>Each recipient's last event by index; a recipient with no event yet is absent.</summary>
    public static IReadOnlyDictionary<int, RelayEvent> Latest(IEnumerable<RelayEvent> events)
    {
        var latest = new Dictionary<int, RelayEvent>();
        foreach (var e in events.Where(e => EventTypes.IsMessageEvent(e.Type)))
        {
            if (!latest.TryGetValue(e.RecipientIndex, out var seen) || e.Sequence > seen.Sequence || (e.Sequence == seen.Sequence && e.Time > seen.Time))
            {
                latest[e.RecipientIndex] = e;
            }
        }

        return latest;
    }
}
