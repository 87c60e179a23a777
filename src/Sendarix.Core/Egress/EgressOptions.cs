using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Sendarix.Core.Egress;

/// <summary>
/// Egress IPs grouped into pools. Section "Sendarix:Egress". A tenant sends through its own pool (a tenant setting)
/// or <see cref="DefaultPool"/>; with no pool at all, connections leave from the host's default address.
/// </summary>
public sealed class EgressOptions : IValidatableObject
{
    public const string Section = "Sendarix:Egress";

    public Dictionary<string, EgressPoolOptions> Pools { get; set; } = [];

    /// <summary>The name under which the API shows the host's own address when no <see cref="DefaultPool"/> is set.</summary>
    public const string HostPool = "host";

    /// <summary>The pool of tenants that have none of their own; empty: the host's default address.</summary>
    public string? DefaultPool { get; set; }

    /// <summary>
    /// How long an IP stays deprioritised for a provider after the provider throttled or blocked it; doubled for each
    /// deprioritisation by that provider in the last 24 hours, up to <see cref="MaxCoolDown"/>.
    /// </summary>
    public TimeSpan CoolDown { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The longest a repeated deprioritisation lasts.</summary>
    public TimeSpan MaxCoolDown { get; set; } = TimeSpan.FromHours(4);

    /// <summary>Daily cap per provider on each day of an IP's warm-up; empty: <see cref="WarmupSchedule.Default"/>.</summary>
    public List<int> WarmupDailyCaps { get; set; } = [];

    public WarmupSchedule Schedule => WarmupDailyCaps.Count > 0 ? new WarmupSchedule(WarmupDailyCaps) : WarmupSchedule.Default;

    /// <summary>The pool and settings of an IP, or null when no pool has it.</summary>
    public (string Pool, EgressIpOptions Ip)? Find(string address) =>
        Pools.SelectMany(p => p.Value.Ips.Select(ip => (Pool: p.Key, Ip: ip))).Where(x => x.Ip.Address == address).Select(x => ((string, EgressIpOptions)?)x).FirstOrDefault();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var seen = new HashSet<string>();
        foreach (var (name, pool) in Pools)
        {
            if (pool.Ips.Count == 0)
            {
                yield return new ValidationResult($"Sendarix:Egress:Pools:{name} has no IPs.", [nameof(Pools)]);
            }

            if (name == HostPool)
            {
                yield return new ValidationResult($"Sendarix:Egress:Pools: '{HostPool}' is reserved for the host's own address.", [nameof(Pools)]);
            }

            foreach (var ip in pool.Ips)
            {
                if (!IPAddress.TryParse(ip.Address, out _))
                {
                    yield return new ValidationResult($"Sendarix:Egress:Pools:{name}: '{ip.Address}' is not an IP address.", [nameof(Pools)]);
                }
                else if (!seen.Add(ip.Address))
                {
                    yield return new ValidationResult($"Sendarix:Egress: {ip.Address} is in more than one pool; an IP's reputation belongs to one.", [nameof(Pools)]);
                }

                if (!IpStatuses.All.Contains(ip.Status) || ip.Tier is < 0 or > 9)
                {
                    yield return new ValidationResult($"Sendarix:Egress:Pools:{name}:{ip.Address}: Status is one of {string.Join(", ", IpStatuses.All)}; Tier is 0-9.", [nameof(Pools)]);
                }
            }
        }

        if (!string.IsNullOrEmpty(DefaultPool) && !Pools.ContainsKey(DefaultPool))
        {
            yield return new ValidationResult($"Sendarix:Egress:DefaultPool '{DefaultPool}' is not a configured pool.", [nameof(DefaultPool)]);
        }

        if (CoolDown < TimeSpan.FromSeconds(1) || MaxCoolDown < CoolDown || WarmupDailyCaps.Any(c => c < 1))
        {
            yield return new ValidationResult("Sendarix:Egress: CoolDown is at least 1 s, MaxCoolDown at least CoolDown, and warm-up caps are positive.");
        }
    }
}

public sealed class EgressPoolOptions
{
    public List<EgressIpOptions> Ips { get; set; } = [];
}

/// <summary>An egress IP: its address, its tier in the pool (0 first; higher tiers only when lower ones cannot send), and the status it starts in.</summary>
public sealed class EgressIpOptions
{
    public string Address { get; set; } = "";

    public int Tier { get; set; }

    public string Status { get; set; } = IpStatuses.Warm;
}

/// <summary>An IP's status: warm (no cap), warming (a daily cap per provider), cold (no production traffic), paused (by the operator).</summary>
public static class IpStatuses
{
    public const string Warm = "warm";
    public const string Warming = "warming";
    public const string Cold = "cold";
    public const string Paused = "paused";

    public static readonly IReadOnlyList<string> All = [Warm, Warming, Cold, Paused];
}
