namespace Sendarix.Contracts.Tenants;

/// <summary>
/// A change to a tenant's settings: each null field stays as it is; an empty <see cref="Pool"/> returns the tenant to
/// the default pool, and a <see cref="MaxSubtenants"/> of 0 to the default limit.
/// </summary>
[GenerateSerializer, Immutable, Alias("Sendarix.TenantSettingsChange")]
public sealed record TenantSettingsChange(
    [property: Id(0)] bool? AllowUnverifiedSenders,
    [property: Id(1)] bool? AllowSubdomains,
    [property: Id(2)] bool? RejectSuppressedRecipients,
    [property: Id(3)] string? Pool = null,
    [property: Id(4)] int? RetentionDays = null,
    [property: Id(5)] bool? DeliveryStatusNotifications = null,
    [property: Id(6)] bool? ImplicitSubtenants = null,
    [property: Id(7)] int? MaxSubtenants = null,
    [property: Id(8)] SpamFilterChange? SpamFilter = null);
