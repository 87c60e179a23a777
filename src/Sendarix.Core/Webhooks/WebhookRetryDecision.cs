namespace Sendarix.Core.Webhooks;

/// <summary>What follows one attempt to deliver a webhook event.</summary>
public enum WebhookAttemptOutcome
{
    /// <summary>A 2xx: the event is delivered.</summary>
    Delivered,

    /// <summary>Try again at <see cref="WebhookRetryDecision.NextAttemptAt"/>.</summary>
    Retry,

    /// <summary>Every attempt of the schedule has failed: the event is given up.</summary>
    GiveUp,

    /// <summary>410 Gone: the receiver says the endpoint is no more; the event is given up and the endpoint disabled.</summary>
    Gone,
}

public readonly record struct WebhookRetryDecision(WebhookAttemptOutcome Outcome, DateTimeOffset? NextAttemptAt)
{
    public static WebhookRetryDecision RetryAt(DateTimeOffset time) => new(WebhookAttemptOutcome.Retry, time);
}
