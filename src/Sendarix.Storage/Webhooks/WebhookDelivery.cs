using Sendarix.Core.Events;

namespace Sendarix.Storage.Webhooks;

/// <summary>
/// One queue message of the webhook outbox: a tenant's events, each stored once, and the endpoints still owed them
/// (<see cref="Targets"/>), each with its own attempt count. Endpoints that take the same events share the message,
/// so a healthy tenant's webhooks cost one queue write and one delete however many endpoints it has; an endpoint
/// that fails or is busy is split off into a message of its own when the delivery is settled. Replayed events are
/// marked, so their attempts show as replays.
/// </summary>
public sealed record WebhookDelivery(string TenantId, IReadOnlyList<RelayEvent> Events, IReadOnlyList<WebhookTarget> Targets, bool Replay = false)
{
    /// <summary>Each target's endpoint, attempts and events.</summary>
    public IReadOnlyList<WebhookShare> Shares() =>
        Targets.Select(t => new WebhookShare(t.EndpointId, t.Attempts, t.Only is { } only ? only.Select(i => Events[i]).ToList() : Events)).ToList();

    /// <summary>A delivery holding the shares' events once each (by id, in the order first seen).</summary>
    public static WebhookDelivery Of(string tenantId, IEnumerable<WebhookShare> shares, bool replay = false)
    {
        var events = new List<RelayEvent>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var targets = new List<(WebhookShare Share, List<int> Indexes)>();
        foreach (var share in shares)
        {
            var indexes = new List<int>(share.Events.Count);
            foreach (var e in share.Events)
            {
                if (!index.TryGetValue(e.Id, out var i))
                {
                    index[e.Id] = i = events.Count;
                    events.Add(e);
                }

                indexes.Add(i);
            }

            targets.Add((share, indexes));
        }

        // An endpoint that takes every event, in order, needs no list of them: the common case costs no bytes.
        return new WebhookDelivery(tenantId, events,
            targets.Select(t => new WebhookTarget(t.Share.EndpointId, t.Share.Attempts, IsEvery(t.Indexes, events.Count) ? null : t.Indexes)).ToList(), replay);
    }

    static bool IsEvery(List<int> indexes, int count) => indexes.Count == count && indexes.Select((value, position) => value == position).All(x => x);
}

/// <summary>An endpoint owed a delivery's events (all of them, or those at the indexes in <see cref="Only"/>), after <see cref="Attempts"/> attempts.</summary>
public sealed record WebhookTarget(string EndpointId, int Attempts, IReadOnlyList<int>? Only = null);

/// <summary>One endpoint's events and the attempts made to deliver them so far (0: none).</summary>
public sealed record WebhookShare(string EndpointId, int Attempts, IReadOnlyList<RelayEvent> Events);

/// <summary>A received delivery and its queue receipt.</summary>
public sealed record WebhookDeliveryMessage(string Id, string PopReceipt, WebhookDelivery Delivery);

/// <summary>What is left of an endpoint's share after an attempt, and when to take it again.</summary>
public sealed record WebhookLeftover(WebhookShare Share, TimeSpan Delay);
