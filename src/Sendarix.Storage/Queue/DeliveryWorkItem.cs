namespace Sendarix.Storage.Queue;

/// <summary>
/// Everything a delivery attempt needs, so the first attempt reads nothing but the body: the envelope, where the
/// body is, and the recipients still to be tried. Carried in queue messages and in retry rows.
/// </summary>
public sealed record DeliveryWorkItem(
    string TenantId,
    string MessageId,
    string From,
    string Blob,
    long Offset,
    int Length,
    DateTimeOffset AcceptedAt,
    IReadOnlyList<WorkRecipient> Recipients);

/// <summary>
/// A recipient still to be tried: its index in the message, the attempts made so far, and how many of them an IP's
/// block refused (each such refusal sends it through another IP of the pool, as long as the pool has one left).
/// </summary>
public sealed record WorkRecipient(int Index, string Address, int Attempts, int IpBlocks = 0);
