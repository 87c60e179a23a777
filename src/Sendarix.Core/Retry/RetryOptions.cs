using System.ComponentModel.DataAnnotations;

namespace Sendarix.Core.Retry;

/// <summary>The retry schedule. Section "Sendarix:Retry"; defaults as Postfix.</summary>
public sealed class RetryOptions : IValidatableObject
{
    public const string Section = "Sendarix:Retry";

    /// <summary>Wait before the first retry; doubles after each further failure.</summary>
    public TimeSpan FirstRetry { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>The longest wait between two attempts.</summary>
    public TimeSpan MaxRetry { get; set; } = TimeSpan.FromSeconds(4000);

    /// <summary>How long a message may stay queued before its recipients expire and bounce.</summary>
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromDays(5);

    /// <summary>Wait after a greylisting reply that names no window (a named one is used, kept within 30 s to 10 min).</summary>
    public TimeSpan GreylistRetry { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Period of a destination's release reminder: the latest a missed release is made up. Orleans refuses a
    /// period below its MinimumReminderPeriod (one minute unless lowered).
    /// </summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often a tenant holding spam looks for held messages past <see cref="MaxLifetime"/>: one expires at most
    /// this late. Also an Orleans reminder's period.
    /// </summary>
    public TimeSpan HeldExpiryCheck { get; set; } = TimeSpan.FromMinutes(10);

    public RetryPolicy ToPolicy() => new(FirstRetry, MaxRetry, MaxLifetime) { GreylistRetry = GreylistRetry };

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (FirstRetry <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Sendarix:Retry:FirstRetry must be positive.", [nameof(FirstRetry)]);
        }

        if (MaxRetry < FirstRetry)
        {
            yield return new ValidationResult("Sendarix:Retry:MaxRetry must be at least FirstRetry.", [nameof(MaxRetry)]);
        }

        if (MaxLifetime <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Sendarix:Retry:MaxLifetime must be positive.", [nameof(MaxLifetime)]);
        }

        if (GreylistRetry < Bounces.BounceClassifier.MinGreylistWait || GreylistRetry > Bounces.BounceClassifier.MaxGreylistWait)
        {
            yield return new ValidationResult("Sendarix:Retry:GreylistRetry must be from 30 seconds to 10 minutes.", [nameof(GreylistRetry)]);
        }

        if (ReminderPeriod < TimeSpan.FromSeconds(1))
        {
            yield return new ValidationResult("Sendarix:Retry:ReminderPeriod must be at least one second.", [nameof(ReminderPeriod)]);
        }

        if (HeldExpiryCheck < TimeSpan.FromSeconds(1))
        {
            yield return new ValidationResult("Sendarix:Retry:HeldExpiryCheck must be at least one second.", [nameof(HeldExpiryCheck)]);
        }
    }
}
