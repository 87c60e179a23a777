using System.Text.Json.Serialization;

namespace Sendarix.Core.Events;

/// <summary>
/// One thing that happened, as every reader sees it: the API, webhooks and, later, search and statistics. Message
/// events name the message (<see cref="Message"/>) and one of its recipients; tenant events name only the tenant.
/// The id is stable: recording the same step twice (a delivery attempt repeated after a crash) gives the same id.
/// </summary>
public sealed record RelayEvent
{
    /// <summary>The version of this contract; readers of stored or published events check it.</summary>
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    public required string Id { get; init; }

    public required EventType Type { get; init; }

    public required DateTimeOffset Time { get; init; }

    public required string TenantId { get; init; }

    /// <summary>The tenant's sub-tenant (one of a platform's customers) the event belongs to; null: the tenant itself.</summary>
    public string? Subtenant { get; init; }

    /// <summary>The message the event is about; null for tenant events.</summary>
    public EventMessage? Message { get; init; }

    public string? Recipient { get; init; }

    /// <summary>The recipient's position in the message's envelope.</summary>
    public int RecipientIndex { get; init; }

    /// <summary>The recipient's events in order: 0 for accepted, then one more for each recorded step.</summary>
    public int Sequence { get; init; }

    /// <summary>Delivery attempts made for the recipient, this one included.</summary>
    public int Attempt { get; init; }

    /// <summary>How many times the recipient has been deferred, this event included (1 on its first deferral).</summary>
    public int Deferrals { get; init; }

    /// <summary>The reply that decided the event, as the remote host (or the relay, for a connection failure) gave it.</summary>
    public string? Reply { get; init; }

    /// <summary>The bounce category of any outcome other than a delivery ("invalid_recipient", "transient"...).</summary>
    public string? BounceCategory { get; init; }

    public string? RemoteHost { get; init; }

    /// <summary>The recipient's original address as the client gave it with ORCPT (RFC 3461), "addr-type;address".</summary>
    public string? OriginalRecipient { get; init; }

    /// <summary>The egress IP the attempt left from ("default" for the host's own address).</summary>
    public string? EgressIp { get; init; }

    public DateTimeOffset? NextAttempt { get; init; }

    /// <summary>The spam filter's verdict on the message (or why it has none), when the message was scanned.</summary>
    public Spam.SpamVerdict? Spam { get; init; }

    /// <summary>Acted out by the mailbox simulator: nothing was sent.</summary>
    public bool Sandbox { get; init; }

    /// <summary>Tenant events: who and from where (AUTH refusals), and why (a pause's reason, a disabled endpoint's).</summary>
    public string? Username { get; init; }

    public string? RemoteAddress { get; init; }

    public string? Detail { get; init; }

    /// <summary>The webhook endpoint a webhook event is about.</summary>
    public string? EndpointId { get; init; }

    /// <summary>
    /// The W3C traceparent of the span that recorded the event, when traces are collected: carried through the webhook
    /// queue so the event's webhook request joins the message's trace. Not part of the public form, nor of the ledger.
    /// </summary>
    public string? TraceParent { get; init; }

    /// <summary>A tenant event, with its id made from what it is (<see cref="EventIds.ForTenant"/>).</summary>
    public static RelayEvent ForTenant(string tenantId, EventType type, DateTimeOffset time, string? detail, string? username = null, string? remoteAddress = null,
        string? endpointId = null, string? subtenant = null) => new()
        {
            Id = EventIds.ForTenant(tenantId, type, time, endpointId ?? username ?? (subtenant is null ? null : $"subtenant:{subtenant}")),
            Type = type,
            Time = time,
            TenantId = tenantId,
            Subtenant = subtenant,
            Detail = detail,
            Username = username,
            RemoteAddress = remoteAddress,
            EndpointId = endpointId,
        };

    /// <summary>The RFC 3463 status code in the reply ("5.1.1"), when it has one.</summary>
    [JsonIgnore]
    public string? EnhancedStatus => EnhancedStatusCode.Of(Reply);

    /// <summary>Whether the recipient's outcome is final and a failure: true for bounced, failed, expired and suppressed, false for deferred.</summary>
    [JsonIgnore]
    public bool? Permanent => Type switch
    {
        EventType.Bounced or EventType.Failed or EventType.Expired or EventType.Suppressed => true,
        EventType.Deferred => false,
        _ => null,
    };
}

/// <summary>
/// What every event of a message carries about it: its ids (the client's ENVID of RFC 3461 among them), envelope
/// sender, Subject, tags and metadata.
/// </summary>
public sealed record EventMessage(
    string MessageId,
    string From,
    string? MessageIdHeader,
    string? Subject,
    IReadOnlyList<string> Tags,
    IReadOnlyDictionary<string, string> Metadata,
    string? EnvelopeId = null);
