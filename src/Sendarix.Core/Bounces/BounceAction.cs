namespace Sendarix.Core.Bounces;

/// <summary>What the relay does about a failed attempt.</summary>
public enum BounceAction
{
    /// <summary>Try the recipient again later (after the named window, or by the retry schedule).</summary>
    Retry,

    /// <summary>Give up on the recipient and put it on the tenant's suppression list.</summary>
    BounceAndSuppress,

    /// <summary>Give up on this message for the recipient; the address itself is fine.</summary>
    Bounce,

    /// <summary>
    /// The sending IP is being throttled or blocked by this provider: deprioritise the IP for the provider. A
    /// temporary reply retries the recipient (through another IP when the pool has one); a permanent one retries it at
    /// once through another IP of the pool while one may send, and bounces it without suppressing when none is left.
    /// </summary>
    BackOffIp,
}
