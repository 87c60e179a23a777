namespace Sendarix.Storage.Messages;

/// <summary>A message as the management API shows it.</summary>
public sealed record MessageView(
    string Id,
    string TenantId,
    string From,
    DateTimeOffset AcceptedAt,
    long Size,
    IReadOnlyList<RecipientState> Recipients,
    IReadOnlyList<MessageEvent>? Events);
