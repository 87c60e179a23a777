using System.ComponentModel.DataAnnotations;

namespace Sendarix.Delivery.Webhooks;

/// <summary>How many webhook requests run at once and how soon queued events are seen. Section "Sendarix:Webhooks".</summary>
public sealed class WebhookDispatchOptions
{
    /// <summary>Requests in flight per process, over all endpoints; also the most deliveries (queue messages) taken at once.</summary>
    [Range(1, 1000)]
    public int MaxConcurrentRequests { get; set; } = 64;

    /// <summary>
    /// Requests in flight per endpoint and process: an endpoint's events are sent this many at once, and a slow or
    /// hanging endpoint holds at most this many requests, its other events waiting in the queue instead of in front
    /// of other endpoints'.
    /// </summary>
    [Range(1, 100)]
    public int MaxConcurrentPerEndpoint { get; set; } = 16;

    /// <summary>The longest an idle dispatcher waits before looking at its queue again (it polls sooner while busy).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the endpoints and secrets of a tenant are kept by a node before they are read again.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan EndpointCacheDuration { get; set; } = TimeSpan.FromSeconds(2);
}
