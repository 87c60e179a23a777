namespace Sendarix.Storage.Messages;

/// <summary>What happened to a message or one of its recipients. Stored by name: never rename a member.</summary>
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
}
