namespace Sendarix.Delivery.Webhooks;

/// <summary>Idle polling: soon after work, then less and less often, up to the configured interval.</summary>
internal static class WebhookPolling
{
    public static TimeSpan Pause(int idlePolls, TimeSpan max) => TimeSpan.FromMilliseconds(Math.Min(max.TotalMilliseconds, 10 << Math.Min(idlePolls, 10)));
}
