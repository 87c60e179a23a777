using Sendarix.Core.Smtp;
using Sendarix.Core.Spam;

namespace Sendarix.Storage.Queue;

/// <summary>
/// Everything a delivery attempt needs, so the first attempt reads nothing but the body: the envelope, where the
/// body is, the recipients still to be tried, and what the message's events carry about it (its Message-ID header,
/// Subject, tags and metadata; null when it has none). Carried in queue messages and in retry rows. With traces
/// collected, <see cref="TraceParent"/> names the span that this work continues (the acceptance, or for a retry the round
/// that deferred it); absent otherwise, and in items written before it existed.
/// </summary>
public sealed record DeliveryWorkItem(
    string TenantId,
    string MessageId,
    string From,
    string Blob,
    long Offset,
    int Length,
    DateTimeOffset AcceptedAt,
    IReadOnlyList<WorkRecipient> Recipients,
    string? MessageIdHeader = null,
    string? Subject = null,
    IReadOnlyList<string>? Tags = null,
    IReadOnlyDictionary<string, string>? Metadata = null,
    string? TraceParent = null,
    string? EnvelopeId = null,
    DsnReturn? Return = null,
    bool? SmtpUtf8 = null,
    string? Subtenant = null,
    string? SuppressionList = null,
    SpamVerdict? Spam = null,
    bool? Held = null)
{
    /// <summary>The suppression list its recipients are checked against and added to: a sub-tenant's own, else the tenant's.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Suppressions => SuppressionList ?? TenantId;
}

/// <summary>
/// A recipient still to be tried: its index in the message, the attempts made so far, how many of them an IP's block
/// refused (each such refusal sends it through another IP of the pool, as long as the pool has one left), the
/// sequence number of its last event (0: accepted, nothing else recorded yet) and how often it was deferred.
/// </summary>
public sealed record WorkRecipient(int Index, string Address, int Attempts, int IpBlocks = 0, int Sequence = 0, int Deferrals = 0,
    DsnNotify? Notify = null, string? OriginalRecipient = null);
