namespace Sendarix.Storage.Suppression;

/// <summary>A suppressed recipient: why, since when, and the message that caused it (none when added by hand).</summary>
public sealed record Suppression(string Address, string Reason, DateTimeOffset CreatedAt, string? MessageId);
