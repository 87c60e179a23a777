using System.ComponentModel.DataAnnotations;

namespace Sendarix.Core.Retention;

/// <summary>How long messages are kept. Section "Sendarix:Retention".</summary>
public sealed class RetentionOptions
{
    public const string Section = "Sendarix:Retention";

    /// <summary>Days a tenant's messages are kept when the operator has not set its own.</summary>
    [Range(RetentionRules.MinDays, RetentionRules.MaxDays)]
    public int DefaultDays { get; set; } = 30;

    /// <summary>How often each tenant's sweep runs.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);
}
