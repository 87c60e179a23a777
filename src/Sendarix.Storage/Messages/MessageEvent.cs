namespace Sendarix.Storage.Messages;

/// <summary>One transition in a message's life, as stored and as the API shows it; failures carry their bounce category.</summary>
public sealed record MessageEvent(
    EventType Type,
    DateTimeOffset Time,
    string? Recipient,
    string? Reply,
    DateTimeOffset? NextAttempt,
    string? RemoteHost,
    string? Category = null);
