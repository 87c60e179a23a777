namespace Sendarix.Core.Events;

/// <summary>
/// A webhook's body in the Standard Webhooks form: the event's type, its time, and the event itself. A batching
/// endpoint gets a JSON array of these.
/// </summary>
public sealed record EventEnvelope(string Type, DateTimeOffset Timestamp, EventDocument Data)
{
    public static EventEnvelope Of(RelayEvent e) => new(EventTypes.Name(e.Type), e.Time, EventDocument.Of(e));
}
