using System.ComponentModel.DataAnnotations;

namespace Sendarix.Storage.Stats;

/// <summary>How statistics are counted. Section "Sendarix:Stats".</summary>
public sealed class StatsOptions
{
    public const string Section = "Sendarix:Stats";

    /// <summary>How often a node writes its counts: at most this much counting is lost when it crashes.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Distinct tags, domains, providers or IPs a node counts on their own per tenant and hour; the rest count together as "(other)".</summary>
    [Range(1, 100_000)]
    public int MaxGroupsPerHour { get; set; } = 500;
}
