using System.ComponentModel.DataAnnotations;
using Sendarix.Core.Reputation;

namespace Sendarix.Grains.Reputation;

/// <summary>When a tenant is paused for its reputation. Section "Sendarix:Reputation".</summary>
public sealed class ReputationOptions
{
    public const string Section = "Sendarix:Reputation";

    /// <summary>How far back the counts go.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "90.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Sends in the window before rates are judged at all.</summary>
    [Range(1, 10_000_000)]
    public int MinimumSends { get; set; } = ReputationThresholds.Default.MinimumSends;

    /// <summary>Hard bounces (5.1.x) per send above which the tenant is paused.</summary>
    [Range(0.0, 1.0)]
    public double MaxBounceRate { get; set; } = ReputationThresholds.Default.MaxBounceRate;

    /// <summary>Complaints per send above which the tenant is paused.</summary>
    [Range(0.0, 1.0)]
    public double MaxComplaintRate { get; set; } = ReputationThresholds.Default.MaxComplaintRate;

    /// <summary>Messages refused as spam (rejected or held) in the window at which the tenant is paused, however much it sent.</summary>
    [Range(1, 10_000_000)]
    public int MaxSpamRefusals { get; set; } = ReputationThresholds.DefaultMaxSpamRefusals;

    public ReputationThresholds Thresholds => new(MinimumSends, MaxBounceRate, MaxComplaintRate, MaxSpamRefusals);
}
