namespace Sendarix.Contracts.Tenants;

/// <summary>
/// A tenant. <see cref="AllowUnverifiedSenders"/> lifts the sender-domain policy for a tenant the operator trusts
/// (a development tenant, an internal system); <see cref="AllowSubdomains"/> lets it send as subdomains of its
/// verified domains; <see cref="RejectSuppressedRecipients"/> refuses suppressed recipients at RCPT instead of
/// accepting and not sending. All are off for a new tenant. <see cref="Pool"/> is the egress pool it sends through
/// (null: the default pool). <see cref="RetentionDays"/> is how long its messages are kept (null: the relay's default).
/// <see cref="ImplicitSubtenants"/> creates a sub-tenant on the first message that names it (off: unknown ones are
/// refused); <see cref="MaxSubtenants"/> is how many it may have (null: <c>SubtenantRules.DefaultMaxPerTenant</c>).
/// <see cref="SpamFilter"/> is its spam policy (null: the relay's default).
/// </summary>
[GenerateSerializer, Immutable, Alias("Sendarix.TenantInfo")]
public sealed record TenantInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] bool AllowUnverifiedSenders = false,
    [property: Id(4)] SendingLimits? Limits = null,
    [property: Id(5)] string? PausedReason = null,
    [property: Id(6)] DateTimeOffset? PausedAt = null,
    [property: Id(7)] bool AllowSubdomains = false,
    [property: Id(8)] bool RejectSuppressedRecipients = false,
    [property: Id(9)] string? Pool = null,
    [property: Id(10)] int? RetentionDays = null,
    [property: Id(11)] bool DeliveryStatusNotifications = false,
    [property: Id(12)] bool ImplicitSubtenants = false,
    [property: Id(13)] int? MaxSubtenants = null,
    [property: Id(14)] Sendarix.Core.Spam.SpamPolicy? SpamFilter = null);
