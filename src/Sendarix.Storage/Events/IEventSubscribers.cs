using Sendarix.Core.Events;

namespace Sendarix.Storage.Events;

/// <summary>Who takes a tenant's events: for each of its enabled webhook endpoints, the events it asked for.</summary>
public interface IEventSubscribers
{
    Task<IReadOnlyList<EventSubscription>> SelectAsync(string tenantId, IReadOnlyList<RelayEvent> events);
}

/// <summary>One endpoint's share of a group of events.</summary>
public sealed record EventSubscription(string EndpointId, IReadOnlyList<RelayEvent> Events);
