namespace Sendarix.Core.Bounces;

/// <summary>
/// The classifier's answer: the category, the action, the wait the reply names (greylisting, rate windows) if any,
/// and the rule that matched, so every decision can be traced to one line of the table.
/// </summary>
public sealed record BounceClassification(BounceCategory Category, BounceAction Action, TimeSpan? RetryAfter, string Rule)
{
    /// <summary>The category as stored in events and shown by the API ("invalid_recipient").</summary>
    public string CategoryName => Name(Category);

    public static string Name(BounceCategory category) => category switch
    {
        BounceCategory.InvalidRecipient => "invalid_recipient",
        BounceCategory.MailboxFull => "mailbox_full",
        BounceCategory.InactiveMailbox => "inactive_mailbox",
        BounceCategory.SpamBlock => "spam_block",
        BounceCategory.Policy => "policy",
        BounceCategory.RateLimited => "rate_limited",
        BounceCategory.Greylisted => "greylisted",
        BounceCategory.BadConnection => "bad_connection",
        BounceCategory.DnsFailure => "dns_failure",
        BounceCategory.MessageTooLarge => "message_too_large",
        BounceCategory.Content => "content",
        BounceCategory.Transient => "transient",
        _ => "uncategorized",
    };
}
