using Sendarix.Contracts.Credentials;
using Sendarix.Contracts.Tenants;
using Sendarix.Grains.Reputation;

namespace Sendarix.Grains.Tenants;

[GenerateSerializer, Alias("Sendarix.TenantState")]
public sealed class TenantState : IPausableState
{
    [Id(0)] public string? Name { get; set; }

    [Id(1)] public DateTimeOffset CreatedAt { get; set; }

    [Id(2)] public List<CredentialInfo> Credentials { get; set; } = [];

    [Id(3)] public List<string> Domains { get; set; } = [];

    [Id(4)] public bool AllowUnverifiedSenders { get; set; }

    [Id(5)] public SendingLimits Limits { get; set; } = SendingLimits.None;

    [Id(6)] public string? PausedReason { get; set; }

    [Id(7)] public DateTimeOffset? PausedAt { get; set; }

    [Id(8)] public bool AllowSubdomains { get; set; }

    [Id(9)] public bool RejectSuppressedRecipients { get; set; }

    [Id(10)] public string? Pool { get; set; }

    /// <summary>Whether the tenant's directory row is written and its retention sweep started (tenants made before both are on activation).</summary>
    [Id(11)] public bool Listed { get; set; }

    /// <summary>Days its messages are kept; null: <c>Sendarix:Retention:DefaultDays</c>.</summary>
    [Id(12)] public int? RetentionDays { get; set; }

    /// <summary>Whether the relay mails RFC 3464 delivery status notifications to the tenant's senders (off: events only).</summary>
    [Id(13)] public bool DeliveryStatusNotifications { get; set; }

    [Id(14)] public bool ImplicitSubtenants { get; set; }

    [Id(15)] public int? MaxSubtenants { get; set; }

    /// <summary>Its spam policy; null: the relay's default.</summary>
    [Id(16)] public Sendarix.Core.Spam.SpamPolicy? SpamFilter { get; set; }

    [Id(17)] public List<PendingTenantEvent> PendingEvents { get; set; } = [];
}
