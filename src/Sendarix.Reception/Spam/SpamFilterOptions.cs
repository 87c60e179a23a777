using System.ComponentModel.DataAnnotations;
using Sendarix.Core.Spam;

namespace Sendarix.Reception.Spam;

/// <summary>Outbound spam filtering with rspamd. Section "Sendarix:SpamFilter"; off unless a policy other than off is set.</summary>
public sealed class SpamFilterOptions : IValidatableObject
{
    public const string Section = "Sendarix:SpamFilter";

    /// <summary>rspamd's normal worker (its <c>/checkv2</c>), e.g. http://127.0.0.1:11333.</summary>
    public Uri? Url { get; set; }

    /// <summary>The policy of tenants and sub-tenants that set none of their own.</summary>
    public SpamPolicy DefaultPolicy { get; set; } = SpamPolicy.Off;

    /// <summary>The longest a scan may take before the relay follows <see cref="FailureMode"/>: the client waits this long at most.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>When rspamd is down or slower than <see cref="Timeout"/>: accept unscanned (open) or answer 451 4.7.1 (closed).</summary>
    public SpamFailureMode FailureMode { get; set; } = SpamFailureMode.Open;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Url is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https")))
        {
            yield return new ValidationResult("Sendarix:SpamFilter:Url must be an absolute http or https URL.", [nameof(Url)]);
        }
    }
}
