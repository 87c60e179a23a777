using System.ComponentModel.DataAnnotations;

namespace Sendarix.Network.Dns;

/// <summary>DNS for MX lookups and sender-domain verification. Section "Sendarix:Dns".</summary>
public sealed class DnsOptions : IValidatableObject
{
    public const string Section = "Sendarix:Dns";

    /// <summary>DNS servers, "ip" or "ip:port"; empty uses the system's resolvers.</summary>
    public List<string> Servers { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var server in Servers)
        {
            if (!System.Net.IPEndPoint.TryParse(server, out _))
            {
                yield return new ValidationResult($"Sendarix:Dns:Servers: '{server}' is not 'ip' or 'ip:port'.", [nameof(Servers)]);
            }
        }
    }
}
