namespace Sendarix.Core.Telemetry;

/// <summary>
/// The relay's metric names and tags, in one place: the README's table of metrics is written from this file, and the
/// dashboards and alert rules of a deployment refer to these names.
/// </summary>
public static class MetricNames
{
    /// <summary>The meter every instrument of the relay belongs to.</summary>
    public const string Meter = "Sendarix";

    /// <summary>SMTP sessions open on a front-end (up-down counter).</summary>
    public const string SessionsOpen = "sendarix.smtp.sessions.open";

    /// <summary>AUTH attempts refused (counter).</summary>
    public const string AuthFailures = "sendarix.smtp.auth.failures";

    /// <summary>Messages answered 250: stored with their work (counter; tag tenant).</summary>
    public const string MessagesAccepted = "sendarix.messages.accepted";

    /// <summary>Messages per group commit (histogram).</summary>
    public const string CommitBatchSize = "sendarix.commit.batch.size";

    /// <summary>Time from a group commit's start to its storage's answer, in seconds (histogram).</summary>
    public const string CommitDuration = "sendarix.commit.duration";

    /// <summary>
    /// Time a message waits in the acceptor, in seconds: for its group commit to start, and for storage to answer it
    /// (histogram). The part of a 250's latency that durability costs.
    /// </summary>
    public const string AcceptanceWait = "sendarix.acceptance.wait";

    /// <summary>Time one storage call of a group commit takes, in seconds (histogram; tag operation).</summary>
    public const string CommitStorageDuration = "sendarix.commit.storage.duration";

    /// <summary>
    /// Time from the end of a message's data to its reply, in seconds: the message's checks, then the acceptor's wait
    /// (histogram).
    /// </summary>
    public const string SmtpDataDuration = "sendarix.smtp.data.duration";

    /// <summary>Recipients' delivery outcomes (counter; tags outcome, tenant, provider, category).</summary>
    public const string Deliveries = "sendarix.deliveries";

    /// <summary>Time from acceptance to delivery, in seconds (histogram; tag provider).</summary>
    public const string DeliveryDuration = "sendarix.delivery.duration";

    /// <summary>
    /// Time a delivery waited for the relay's own limits, in seconds: a connection slot (every send) or a message token
    /// (providers with a message rate); a wait that ran out is counted too (histogram; tags provider, limit).
    /// </summary>
    public const string ThrottleWait = "sendarix.throttle.wait";

    /// <summary>
    /// Time from an event to its webhook request being acknowledged by the endpoint (a 2xx), in seconds; replays are not
    /// counted (histogram; tag tenant).
    /// </summary>
    public const string WebhookLag = "sendarix.webhook.lag";

    /// <summary>Delivery work messages waiting in the queue (observable gauge).</summary>
    public const string QueueDepth = "sendarix.queue.depth";

    /// <summary>How long the oldest waiting work message has waited, in seconds (observable gauge).</summary>
    public const string QueueOldestAge = "sendarix.queue.oldest_age";

    public static class Tags
    {
        public const string Tenant = "tenant";
        public const string Outcome = "outcome";
        public const string Provider = "provider";
        public const string Category = "category";

        /// <summary>Which limit a throttle wait was for: <see cref="LimitConnection"/> or <see cref="LimitRate"/>.</summary>
        public const string Limit = "limit";

        /// <summary>Which storage call of a group commit: <see cref="OperationBody"/>, <see cref="OperationRows"/> or <see cref="OperationWork"/>.</summary>
        public const string Operation = "operation";

        public const string OperationBody = "body";
        public const string OperationRows = "rows";
        public const string OperationWork = "work";

        public const string LimitConnection = "connection";
        public const string LimitRate = "rate";
    }
}
