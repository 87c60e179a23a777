using Sendarix.Core.Bounces;

namespace Sendarix.Core.Suppression;

/// <summary>
/// Which delivery outcomes put a recipient on the tenant's suppression list. A reply the classifier calls a hard
/// bounce of the address (unknown user, disabled mailbox, a domain that does not exist) does. So does a recipient that
/// stayed deferred until it expired, unless what kept it back was the relay's side (its IP's reputation or rate, the
/// receiver's policy, the content or size of this message): those say nothing about the address itself.
/// </summary>
public static class SuppressionRules
{
    public const string HardBounce = "hard_bounce";
    public const string Expired = "expired";

    /// <summary>
    /// The rule name of outcomes where the relay held the mail back itself (its own limits, no usable egress IP, a
    /// destination backed off or paused): no attempt was made, so an expiry then says nothing about the address.
    /// </summary>
    public const string RelayHold = "relay.hold";

    static readonly HashSet<BounceCategory> NotAboutTheAddress =
    [
        BounceCategory.SpamBlock, BounceCategory.RateLimited, BounceCategory.Policy, BounceCategory.Content, BounceCategory.MessageTooLarge,
    ];

    /// <summary>The reason to suppress, or null to leave the recipient alone.</summary>
    public static string? ReasonFor(BounceClassification classification, bool expired) =>
        expired
            ? NotAboutTheAddress.Contains(classification.Category) || classification.Rule == RelayHold ? null : Expired
            : classification.Action == BounceAction.BounceAndSuppress ? HardBounce : null;

    /// <summary>The form addresses are kept in: the domain lower-cased, the local part as given (RFC 5321 2.4).</summary>
    public static string Normalize(string address)
    {
        var at = address.LastIndexOf('@');
        return at < 0 ? address.Trim() : address[..at].Trim() + "@" + address[(at + 1)..].Trim().ToLowerInvariant();
    }
}
