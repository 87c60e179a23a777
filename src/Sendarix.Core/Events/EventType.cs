namespace Sendarix.Core.Events;

/// <summary>
/// What happened: to one recipient of a message, or to a tenant. Stored by member name, so never rename a member;
/// <see cref="EventTypes.Name"/> gives the name the API and webhooks use.
/// </summary>
public enum EventType
{
    Accepted,
    Delivered,
    Deferred,
    Bounced,
    Expired,

    /// <summary>Delivery was impossible without any reply to classify, such as a domain with no mail servers.</summary>
    Failed,

    /// <summary>Not attempted: the recipient is on the tenant's suppression list.</summary>
    Suppressed,

    /// <summary>The recipient reported the message as spam (a feedback-loop report).</summary>
    Complained,

    /// <summary>The tenant's sending was paused (for its reputation, or by the operator).</summary>
    TenantPaused,

    /// <summary>The tenant's sending was resumed.</summary>
    TenantResumed,

    /// <summary>AUTH was refused because the client's address is outside the credential's network allowlist.</summary>
    AuthRefusedNetwork,

    /// <summary>A webhook endpoint was disabled: it answered 410 Gone, or failed for too long.</summary>
    EndpointDisabled,

    /// <summary>A test event sent to a webhook endpoint on request.</summary>
    Test,

    /// <summary>Accepted, and held back from delivery as spam until released, deleted or expired.</summary>
    Held,

    /// <summary>A held recipient was released through the API and goes to delivery.</summary>
    Released,

    /// <summary>A message was refused at the end of data as spam; nothing was stored, so the event names no message id.</summary>
    SpamRejected,
}

/// <summary>The public names of event types, as the API and webhooks show them.</summary>
public static class EventTypes
{
    static readonly Dictionary<EventType, string> Names = new()
    {
        [EventType.Accepted] = "accepted",
        [EventType.Delivered] = "delivered",
        [EventType.Deferred] = "deferred",
        [EventType.Bounced] = "bounced",
        [EventType.Expired] = "expired",
        [EventType.Failed] = "failed",
        [EventType.Suppressed] = "suppressed",
        [EventType.Complained] = "complained",
        [EventType.TenantPaused] = "tenant.paused",
        [EventType.TenantResumed] = "tenant.resumed",
        [EventType.AuthRefusedNetwork] = "auth.refused_network",
        [EventType.EndpointDisabled] = "webhook.endpoint_disabled",
        [EventType.Test] = "webhook.test",
        [EventType.Held] = "held",
        [EventType.Released] = "released",
        [EventType.SpamRejected] = "spam_rejected",
    };

    static readonly Dictionary<string, EventType> ByName = Names.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

    /// <summary>Every event type, in declaration order.</summary>
    public static IReadOnlyList<EventType> All { get; } = Enum.GetValues<EventType>();

    public static string Name(EventType type) => Names[type];

    /// <summary>The type of a public name; names are case-sensitive, as they are on the wire.</summary>
    public static bool TryParse(string? name, out EventType type) => ByName.TryGetValue(name ?? "", out type);

    /// <summary>Whether the event is about a message's recipient (it has a message id) rather than the tenant.</summary>
    public static bool IsMessageEvent(EventType type) => type <= EventType.Complained || type is EventType.Held or EventType.Released;
}
