namespace Sendarix.Core.Telemetry;

/// <summary>
/// The relay's activity source, span names and span attributes, in one place beside <see cref="MetricNames"/>: a
/// message's trace starts at its acceptance and its context travels in its work item, its retry rows and its events,
/// so delivery, retries and webhooks join the same trace (docs/architecture.md, "Telemetry").
/// </summary>
public static class TraceNames
{
    /// <summary>The activity source every span of the relay belongs to.</summary>
    public const string Source = "Sendarix";

    /// <summary>One message's acceptance at the front-end: from the end of DATA to the reply (the root of its trace).</summary>
    public const string SmtpAccept = "smtp.accept";

    /// <summary>One group commit's storage writes; linked to the acceptance span of every message it carries.</summary>
    public const string CommitBatch = "commit.batch";

    /// <summary>A work item's first delivery round for one destination domain: planning, sending, recording the outcomes.</summary>
    public const string DeliveryAttempt = "delivery.attempt";

    /// <summary>A later round for recipients that came back from the retry table; its parent is the round that deferred them.</summary>
    public const string DeliveryRetry = "delivery.retry";

    /// <summary>One webhook request; its parent is the span that recorded its event (a batch request links to each).</summary>
    public const string WebhookSend = "webhook.send";

    /// <summary>Span attributes. Never a recipient address or message content.</summary>
    public static class Tags
    {
        public const string Tenant = "sendarix.tenant";
        public const string MessageId = "sendarix.message_id";
        public const string Recipients = "sendarix.recipients";
        public const string Bytes = "sendarix.bytes";
        public const string ReplyCode = "smtp.reply_code";
        public const string BatchSize = "sendarix.batch.size";
        public const string Destination = "sendarix.destination";
        public const string Provider = "sendarix.provider";
        public const string Outcome = "sendarix.outcome";
        public const string Attempt = "sendarix.attempt";
        public const string EndpointId = "sendarix.webhook.endpoint_id";
        public const string Events = "sendarix.webhook.events";
        public const string HttpStatus = "http.response.status_code";
    }
}
