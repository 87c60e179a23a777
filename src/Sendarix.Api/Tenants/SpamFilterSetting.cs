using Sendarix.Contracts.Tenants;
using Sendarix.Core.Spam;

namespace Sendarix.Api.Tenants;

/// <summary>A spam policy as the API writes it: off, tag, hold, reject, or "default" (the relay's, or for a sub-tenant the tenant's).</summary>
public static class SpamFilterSetting
{
    public const string Default = "default";

    public static string? Problem(string? value) =>
        value is null || value == Default || SpamPolicies.TryParse(value, out _) ? null : $"One of: {string.Join(", ", SpamPolicies.Names)}, or {Default}.";

    /// <summary>The change a valid value makes; null when the field was left out.</summary>
    public static SpamFilterChange? Change(string? value) =>
        value is null ? null : new SpamFilterChange(SpamPolicies.TryParse(value, out var policy) ? policy : null);

    public static string Name(SpamPolicy? policy) => policy is { } p ? SpamPolicies.Name(p) : Default;
}
