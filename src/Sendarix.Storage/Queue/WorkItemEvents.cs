using System.Collections.ObjectModel;
using Sendarix.Core.Events;

namespace Sendarix.Storage.Queue;

/// <summary>The events of a work item's recipients, made the same way by whoever records them (delivery, or the holding of spam).</summary>
public static class WorkItemEvents
{
    public static EventMessage Context(DeliveryWorkItem item) =>
        new(item.MessageId, item.From, item.MessageIdHeader, item.Subject, item.Tags ?? [], item.Metadata ?? ReadOnlyDictionary<string, string>.Empty, item.EnvelopeId);

    /// <summary>One step of a recipient's history; its id comes from the message, recipient, sequence and type, so recording it twice gives one event.</summary>
    public static RelayEvent ForRecipient(DeliveryWorkItem item, EventMessage context, WorkRecipient recipient, EventType type, int sequence, DateTimeOffset time,
        string? trace) => new()
        {
            Id = EventIds.ForRecipient(item.MessageId, recipient.Index, sequence, type),
            Type = type,
            Time = time,
            TenantId = item.TenantId,
            Subtenant = item.Subtenant,
            Message = context,
            Recipient = recipient.Address,
            RecipientIndex = recipient.Index,
            Sequence = sequence,
            Attempt = recipient.Attempts,
            Deferrals = recipient.Deferrals,
            OriginalRecipient = recipient.OriginalRecipient,
            Spam = item.Spam,
            TraceParent = trace,
        };
}
