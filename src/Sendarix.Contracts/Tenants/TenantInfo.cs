namespace Sendarix.Contracts.Tenants;

/// <summary>
/// A tenant. <see cref="AllowUnverifiedSenders"/> lifts the sender-domain policy for a tenant the operator trusts
/// (a development tenant, an internal system); it is off for every new tenant.
/// </summary>
[GenerateSerializer, Immutable, Alias("Sendarix.TenantInfo")]
public sealed record TenantInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] bool AllowUnverifiedSenders = false,
    [property: Id(4)] SendingLimits? Limits = null,
    [property: Id(5)] string? PausedReason = null,
    [property: Id(6)] DateTimeOffset? PausedAt = null);
