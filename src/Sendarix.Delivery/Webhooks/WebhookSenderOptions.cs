using System.ComponentModel.DataAnnotations;

namespace Sendarix.Delivery.Webhooks;

/// <summary>How webhook requests are sent. Section "Sendarix:Webhooks", beside <see cref="Core.Webhooks.WebhookOptions"/>.</summary>
public sealed class WebhookSenderOptions : IValidatableObject
{
    /// <summary>How long one attempt may take, from connecting to the status line; then it counts as failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// PEM file of CA certificates trusted beside the system's for endpoints' certificates (a private CA of the
    /// operator's receivers); empty: the system's roots only. Certificates are always verified.
    /// </summary>
    public string? TrustedCaFile { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Timeout < TimeSpan.FromMilliseconds(100) || Timeout > TimeSpan.FromMinutes(5))
        {
            yield return new ValidationResult("Sendarix:Webhooks:Timeout must be from 100 ms to 5 minutes.", [nameof(Timeout)]);
        }

        if (TrustedCaFile is { Length: > 0 } ca && !File.Exists(ca))
        {
            yield return new ValidationResult($"Sendarix:Webhooks:TrustedCaFile '{ca}' does not exist.", [nameof(TrustedCaFile)]);
        }
    }
}
