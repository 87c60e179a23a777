namespace Sendarix.Delivery.Webhooks;

/// <summary>
/// Polling a drained webhook queue: 50 ms after a read that found something, then twice as long after each read that
/// found nothing, up to the configured interval. A node's own writes wake its dispatcher at once, so these reads only
/// find other nodes' deliveries and retries that came due: they can be rare, and each costs a storage call.
/// </summary>
internal static class WebhookPolling
{
    public static TimeSpan Pause(int idlePolls, TimeSpan max) => TimeSpan.FromMilliseconds(Math.Min(max.TotalMilliseconds, 50 << Math.Min(idlePolls, 10)));
}
