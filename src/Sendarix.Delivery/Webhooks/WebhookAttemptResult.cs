namespace Sendarix.Delivery.Webhooks;

/// <summary>Why an attempt did not deliver.</summary>
public enum WebhookFailure
{
    None,

    /// <summary>The endpoint answered with a status other than 2xx (a 3xx included: redirects are not followed).</summary>
    Status,

    /// <summary>No status line within the time-out.</summary>
    Timeout,

    /// <summary>Not attempted: the URL or every address of its host is one the relay may not send to.</summary>
    Refused,

    /// <summary>No connection (no address, refused, reset) or no readable HTTP answer.</summary>
    ConnectionFailed,

    /// <summary>The TLS handshake failed, or the certificate could not be verified.</summary>
    TlsFailed,
}

/// <summary>
/// What one attempt came to: the status when there was one, how long it took, and for a failure its kind and a short
/// text fit for the tenant to read; <see cref="RetryAfter"/> is the wait the endpoint's Retry-After asked for.
/// </summary>
public sealed record WebhookAttemptResult(int? StatusCode, TimeSpan Latency, WebhookFailure Failure, string? Error, TimeSpan? RetryAfter)
{
    public bool Delivered => Failure == WebhookFailure.None;
}
