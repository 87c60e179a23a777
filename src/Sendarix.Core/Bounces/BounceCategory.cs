namespace Sendarix.Core.Bounces;

/// <summary>Why a delivery attempt did not succeed. Stored and shown by name (snake_case): never rename a member.</summary>
public enum BounceCategory
{
    /// <summary>The address does not exist (5.1.1, "user unknown").</summary>
    InvalidRecipient,

    /// <summary>The mailbox is over its quota.</summary>
    MailboxFull,

    /// <summary>The mailbox exists but is disabled, suspended or no longer used.</summary>
    InactiveMailbox,

    /// <summary>Refused for the sending IP's or domain's reputation, or a blocklist listing.</summary>
    SpamBlock,

    /// <summary>Refused by the receiver's policy: authentication (SPF, DKIM, DMARC), relaying, sender rules.</summary>
    Policy,

    /// <summary>The receiver limits how fast or how much this sender may send.</summary>
    RateLimited,

    /// <summary>Greylisting: come back after a short wait.</summary>
    Greylisted,

    /// <summary>The connection failed, timed out, or broke (no reply, or 4.4.x).</summary>
    BadConnection,

    /// <summary>The destination's DNS is missing or broken.</summary>
    DnsFailure,

    /// <summary>The message is larger than the receiver takes.</summary>
    MessageTooLarge,

    /// <summary>The message's content was refused (spam-like content, a virus, bad headers).</summary>
    Content,

    /// <summary>A temporary failure with no more specific cause.</summary>
    Transient,

    /// <summary>A permanent failure that matches no rule.</summary>
    Uncategorized,
}
