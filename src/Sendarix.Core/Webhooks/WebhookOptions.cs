using System.ComponentModel.DataAnnotations;

namespace Sendarix.Core.Webhooks;

/// <summary>Webhook endpoints and their delivery rules. Section "Sendarix:Webhooks".</summary>
public sealed class WebhookOptions : IValidatableObject
{
    public const string Section = "Sendarix:Webhooks";

    /// <summary>The longest a rotated secret may stay valid beside the new one.</summary>
    public static readonly TimeSpan MaxSecretOverlap = TimeSpan.FromDays(7);

    /// <summary>Whether endpoints may be plain http:// URLs (a development or closed network); https only by default.</summary>
    public bool AllowHttp { get; set; }

    /// <summary>
    /// Whether endpoints may be, or resolve to, loopback, private, link-local, shared, reserved or multicast
    /// addresses (a relay whose receivers are on its own network, or a test). Off, such addresses are refused when
    /// an endpoint is created or changed, and again when a connection is made, whatever DNS answers by then.
    /// </summary>
    public bool AllowPrivateAddresses { get; set; }

    [Range(1, 1000)]
    public int MaxEndpointsPerTenant { get; set; } = 20;

    /// <summary>How long a rotated secret stays valid beside the new one when the rotation names no overlap of its own.</summary>
    public TimeSpan SecretOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The waits between attempts to deliver an event; empty: <see cref="WebhookRetrySchedule.DefaultDelays"/>.</summary>
    public List<TimeSpan> RetryDelays { get; set; } = [];

    /// <summary>An endpoint whose every attempt has failed for this long is disabled.</summary>
    public TimeSpan DisableAfter { get; set; } = WebhookRetrySchedule.DefaultDisableAfter;

    /// <summary>
    /// Under load, the webhook queue is written at most this often per process: events recorded in between share one
    /// write (up to 100 a queue message), so queue calls grow with time, not with delivery rounds. An idle relay
    /// writes at once; a busy one holds a delivery round at most this long before its work is done.
    /// </summary>
    public TimeSpan PublishInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    public WebhookRetrySchedule Schedule => new(RetryDelays.Count > 0 ? RetryDelays : WebhookRetrySchedule.DefaultDelays, DisableAfter);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (SecretOverlap < TimeSpan.Zero || SecretOverlap > MaxSecretOverlap)
        {
            yield return new ValidationResult("Sendarix:Webhooks:SecretOverlap must be from 0 to 7 days.", [nameof(SecretOverlap)]);
        }

        if (RetryDelays.Count > 50 || RetryDelays.Any(d => d <= TimeSpan.Zero || d > TimeSpan.FromDays(7)))
        {
            yield return new ValidationResult("Sendarix:Webhooks:RetryDelays has at most 50 delays, each above 0 and at most 7 days.", [nameof(RetryDelays)]);
        }

        if (PublishInterval < TimeSpan.Zero || PublishInterval > TimeSpan.FromSeconds(1))
        {
            yield return new ValidationResult("Sendarix:Webhooks:PublishInterval must be from 0 to 1 second.", [nameof(PublishInterval)]);
        }

        if (DisableAfter < TimeSpan.FromSeconds(1))
        {
            yield return new ValidationResult("Sendarix:Webhooks:DisableAfter must be at least one second.", [nameof(DisableAfter)]);
        }
    }
}
