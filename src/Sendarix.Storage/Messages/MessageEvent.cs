using Sendarix.Core.Events;

namespace Sendarix.Storage.Messages;

/// <summary>
/// One transition in a message's life, as stored and as the API shows it; failures carry their bounce category, and
/// attempts the egress IP they left from ("default" for the host's own address).
/// </summary>
public sealed record MessageEvent(
    EventType Type,
    DateTimeOffset Time,
    string? Recipient,
    string? Reply,
    DateTimeOffset? NextAttempt,
    string? RemoteHost,
    string? Category = null,
    string? EgressIp = null);
