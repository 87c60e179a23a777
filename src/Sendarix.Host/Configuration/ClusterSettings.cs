using System.ComponentModel.DataAnnotations;

namespace Sendarix.Host.Configuration;

/// <summary>The Orleans cluster. Section "Sendarix:Cluster".</summary>
public sealed class ClusterSettings : IValidatableObject
{
    public const string Section = "Sendarix:Cluster";

    /// <summary>Silos and clients with the same ClusterId form one cluster.</summary>
    [Required]
    public string ClusterId { get; set; } = "sendarix";

    /// <summary>Names the service's persistent data (grain state, reminders); keep it stable across deployments.</summary>
    [Required]
    public string ServiceId { get; set; } = "sendarix";

    /// <summary>The address other silos and clients reach this silo on.</summary>
    [Required]
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Smallest reminder period Orleans accepts. Lowered only by tests.</summary>
    public TimeSpan MinimumReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!System.Net.IPAddress.TryParse(AdvertisedAddress, out _))
        {
            yield return new ValidationResult($"Sendarix:Cluster:AdvertisedAddress '{AdvertisedAddress}' is not an IP address.", [nameof(AdvertisedAddress)]);
        }

        if (SiloPort == GatewayPort)
        {
            yield return new ValidationResult("Sendarix:Cluster:SiloPort and GatewayPort must differ.", [nameof(GatewayPort)]);
        }
    }
}
