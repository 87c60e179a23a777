using System.ComponentModel.DataAnnotations;

namespace Sendarix.Core.Providers;

/// <summary>Traffic shaping per provider, enforced across the cluster. Section "Sendarix:Shaping".</summary>
public sealed class ShapingOptions : IValidatableObject
{
    public const string Section = "Sendarix:Shaping";

    /// <summary>
    /// Changes to the shipped provider profiles, by provider ("gmail", "microsoft", "yahoo", "icloud", "default");
    /// the API can change them further at run time.
    /// </summary>
    public Dictionary<string, ProviderProfileOptions> Providers { get; set; } = [];

    /// <summary>
    /// How long a connection lease lasts unless renewed; the pool renews a lease it reuses. Bounds how long the
    /// connections of a silo that died keep counting against a provider's limit.
    /// </summary>
    public TimeSpan ConnectionLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Longest a delivery waits for a connection slot or a message token before its recipients are deferred (and
    /// retried after as long). Short, because a waiting delivery holds one of the silo's in-flight slots: mail for a
    /// throttled provider must not stand in front of everyone else's.
    /// </summary>
    public TimeSpan ThrottleWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Pause of a destination after a temporary failure (421, or a 45x for the whole attempt) that names no wait.</summary>
    public TimeSpan DestinationBackoff { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The shipped profile of a provider with this configuration's changes, before any from the API.</summary>
    public ProviderProfile Configured(string provider)
    {
        var shipped = ProviderProfile.Defaults.TryGetValue(provider, out var p) ? p : ProviderProfile.Defaults[Provider.Default];
        return Providers.TryGetValue(provider, out var changes) ? shipped.With(changes.ToChange()) : shipped;
    }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, profile) in Providers)
        {
            if (!ProviderProfile.Defaults.ContainsKey(name))
            {
                yield return new ValidationResult($"Sendarix:Shaping:Providers: '{name}' is not one of {string.Join(", ", ProviderProfile.Names)}.", [nameof(Providers)]);
            }

            foreach (var (field, min, max) in profile.ToChange().OutOfBounds())
            {
                yield return new ValidationResult($"Sendarix:Shaping:Providers:{name}:{field} must be from {min} to {max}.", [nameof(Providers)]);
            }
        }

        if (ConnectionLease < TimeSpan.FromSeconds(5) || ThrottleWait < TimeSpan.FromSeconds(1) || DestinationBackoff < TimeSpan.FromSeconds(1))
        {
            yield return new ValidationResult("Sendarix:Shaping: ConnectionLease at least 5 s, ThrottleWait and DestinationBackoff at least 1 s.");
        }
    }
}

public sealed class ProviderProfileOptions
{
    public int? ConnectionsPerIp { get; set; }

    public int? MessagesPerConnection { get; set; }

    public int? MessagesPerMinutePerIp { get; set; }

    public bool? RequireTls { get; set; }

    public ProviderProfileChange ToChange() => new(ConnectionsPerIp, MessagesPerConnection, MessagesPerMinutePerIp, RequireTls);
}
