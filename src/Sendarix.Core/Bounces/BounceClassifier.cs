using System.Text.RegularExpressions;
using Sendarix.Core.Providers;
using Sendarix.Core.Replies;

namespace Sendarix.Core.Bounces;

/// <summary>
/// Maps a failed attempt's reply (code, enhanced code, text) and the destination's provider to a category and an
/// action. The rules are a table read top to bottom, first match wins, in four groups: what one provider says in
/// its own words; texts that outweigh any code (greylisting, rate limits, blocklists, content filters); the enhanced
/// status code (RFC 3463); texts of servers that send no enhanced code. Whatever is left falls back on the reply class.
/// </summary>
public static partial class BounceClassifier
{
    /// <summary>Greylisting windows named by the receiver are kept within these bounds.</summary>
    public static readonly TimeSpan MinGreylistWait = TimeSpan.FromSeconds(30);

    public static readonly TimeSpan MaxGreylistWait = TimeSpan.FromMinutes(10);

    const RegexOptions Text = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    /// <param name="Provider">null: any provider.</param>
    /// <param name="Class">4 or 5 (temporary or permanent), 0 for either, or 421 for exactly that code.</param>
    /// <param name="Enhanced">Pattern on the enhanced code ("5.1.1"); null: any, including none.</param>
    /// <param name="Match">Pattern on the reply text; null: any.</param>
    /// <param name="Temporary">Category and action for a 4xx reply (or a failure with no reply).</param>
    /// <param name="Permanent">Category and action for a 5xx reply.</param>
    sealed record Rule(string Name, string? Provider, int Class, Regex? Enhanced, Regex? Match,
        (BounceCategory, BounceAction) Temporary, (BounceCategory, BounceAction) Permanent);

    static Rule R(string name, string? provider, int @class, string? enhanced, string? text,
        BounceCategory category, BounceAction temporary, BounceAction permanent) =>
        new(name, provider, @class, enhanced is null ? null : new Regex($"^(?:{enhanced})$", RegexOptions.CultureInvariant),
            text is null ? null : new Regex(text, Text), (category, temporary), (category, permanent));

    static Rule R(string name, string? provider, int @class, string? enhanced, string? text,
        (BounceCategory, BounceAction) temporary, (BounceCategory, BounceAction) permanent) =>
        new(name, provider, @class, enhanced is null ? null : new Regex($"^(?:{enhanced})$", RegexOptions.CultureInvariant),
            text is null ? null : new Regex(text, Text), temporary, permanent);

    const BounceAction Retry = BounceAction.Retry;
    const BounceAction Suppress = BounceAction.BounceAndSuppress;
    const BounceAction Bounce = BounceAction.Bounce;
    const BounceAction BackOff = BounceAction.BackOffIp;
    const string G = Provider.Gmail, M = Provider.Microsoft, Y = Provider.Yahoo, A = Provider.ICloud, U = Provider.Upstream;

    /// <summary>
    /// The prefix of the rules for an upstream smarthost refusing the account itself (its quota, a suspension, a sender
    /// or login it will not take): the route's problem, never the recipient's, so such mail is kept and retried.
    /// </summary>
    public const string UpstreamAccountRule = "upstream.account";

    static readonly Rule[] Rules =
    [
        // --- an upstream smarthost's own words (SES, SendGrid, Microsoft 365, Google's relay): limits and the account -----
        R($"{UpstreamAccountRule}.quota", U, 0, null,
            @"credits exceeded|daily message quota|quota exceeded|SubmissionQuotaExceeded|relay limit exceeded|messaging limits",
            BounceCategory.RateLimited, Retry, Retry),
        R($"{UpstreamAccountRule}.suspended", U, 0, null, @"suspend|OutboundSpamException|account (is |has been )?(disabled|blocked|inactive|closed)",
            BounceCategory.Policy, Retry, Retry),
        R($"{UpstreamAccountRule}.sender", U, 0, null,
            @"not verified|not authori[sz]ed to send|SendAsDenied|permissions? to send|unauthenticated senders|not allowed to send",
            BounceCategory.Policy, Retry, Retry),
        R($"{UpstreamAccountRule}.login", U, 0, null,
            @"invalid credentials|authentication (failed|failure|unsuccessful|required)|not authenticated|must issue a starttls|relay(ing)? (access )?denied",
            BounceCategory.Policy, Retry, Retry),
        R("upstream.rate_limit", U, 0, null, @"throttl|rate.?limit|sending rate|too many (messages|connections|concurrent)|peak smtp relay limit",
            BounceCategory.RateLimited, Retry, Retry),

        // --- one provider's own words --------------------------------------------------------------------------
        R("gmail.recipient_rate", G, 4, @"4\.2\.1", null, BounceCategory.RateLimited, Retry, Retry),
        R("gmail.unsolicited_rate", G, 4, null, @"unusual rate of unsolicited|rate limited|rate-limited", BounceCategory.RateLimited, BackOff, BackOff),
        R("gmail.likely_unsolicited", G, 5, null, @"likely unsolicited mail", BounceCategory.SpamBlock, Bounce, Bounce),
        R("microsoft.mailbox_unavailable", M, 5, @"5\.5\.0", @"mailbox unavailable", BounceCategory.InvalidRecipient, Suppress, Suppress),
        R("microsoft.directory_block", M, 5, @"5\.4\.1", @"recipient address rejected", BounceCategory.InvalidRecipient, Suppress, Suppress),
        R("microsoft.banned_ip", M, 5, @"5\.7\.(6[0-4]\d|7[0-5]\d)", null, BounceCategory.SpamBlock, BackOff, BackOff),
        R("microsoft.ip_reputation", M, 4, @"4\.7\.65\d|4\.7\.500", null, BounceCategory.RateLimited, BackOff, BackOff),
        R("yahoo.permanently_deferred", Y, 0, null, @"\[TSS09\]|permanently deferred", BounceCategory.SpamBlock, BackOff, BackOff),
        R("yahoo.sender_domain", Y, 4, null, @"unresolvable", BounceCategory.Policy, Retry, Retry),
        R("yahoo.deferred", Y, 4, null, @"\[TSS?\d+\]", BounceCategory.RateLimited, BackOff, BackOff),
        R("yahoo.blocked", Y, 0, null, @"\[BL\d+\]", BounceCategory.SpamBlock, BackOff, BackOff),
        R("icloud.content", A, 5, null, @"\[CS01\]", BounceCategory.Content, Bounce, Bounce),

        // --- texts that outweigh the code ----------------------------------------------------------------------
        R("greylisting", null, 4, null, @"gr[ae]y-?list|postgrey", BounceCategory.Greylisted, Retry, Retry),
        R("rate_limit", null, 4, null,
            @"rate.?limit|too many (messages|mails|emails|connections|concurrent)|throttl|unexpected volume|server busy|exceeded.{0,40}\b(rate|limit)|sending rate|temporarily deferred|ip reputation",
            BounceCategory.RateLimited, BackOff, BackOff),
        R("421_closing_4.7", null, 421, @"4\.7\.\d+", null, BounceCategory.RateLimited, BackOff, BackOff),
        R("blocklist", null, 0, null,
            @"spamhaus|barracuda|spamcop|sorbs|\bsurbl\b|\buribl\b|block ?list|black ?list|blocked using|listed (at|in|on|by)|\brbl\b|\bdnsbl\b|banned sending ip|poor reputation|bad reputation|reputation",
            BounceCategory.SpamBlock, BackOff, BackOff),
        R("content_filter", null, 0, null,
            @"(spam|virus|malware|prohibited|suspicious) content|content filter|security issue|content rejected|\bvirus\b|malware|phishing|(detected|identified|classified|marked|rejected) as spam|looks like spam|spam detected",
            BounceCategory.Content, Retry, Bounce),

        // --- the enhanced status code (RFC 3463) ---------------------------------------------------------------
        R("x.1.2_bad_destination", null, 0, @"[45]\.1\.2", null, BounceCategory.DnsFailure, Retry, Suppress),
        R("x.1.6_moved", null, 0, @"[45]\.1\.6", null, BounceCategory.InactiveMailbox, Retry, Suppress),
        R("x.1.7_bad_sender", null, 0, @"[45]\.1\.[78]", null, BounceCategory.Policy, Retry, Bounce),
        R("x.1.x_bad_mailbox", null, 0, @"[45]\.1\.\d+", null, (BounceCategory.Transient, Retry), (BounceCategory.InvalidRecipient, Suppress)),
        R("x.2.2_full", null, 0, @"[45]\.2\.2", null, BounceCategory.MailboxFull, Retry, Bounce),
        R("x.2.1_disabled", null, 0, @"[45]\.2\.1", null, (BounceCategory.Transient, Retry), (BounceCategory.InactiveMailbox, Suppress)),
        R("x.2.3_too_large", null, 0, @"[45]\.(2\.3|3\.4)", null, BounceCategory.MessageTooLarge, Retry, Bounce),
        R("x.2.x_mailbox", null, 0, @"[45]\.2\.\d+", null, (BounceCategory.Transient, Retry), (BounceCategory.InactiveMailbox, Bounce)),
        R("x.3.x_system", null, 0, @"[45]\.3\.\d+", null, (BounceCategory.Transient, Retry), (BounceCategory.Uncategorized, Bounce)),
        R("x.4.3_dns", null, 0, @"[45]\.4\.[34]", null, BounceCategory.DnsFailure, Retry, Bounce),
        R("x.4.x_network", null, 0, @"[45]\.4\.\d+", null, BounceCategory.BadConnection, Retry, Bounce),
        R("x.5.3_too_many_recipients", null, 0, @"[45]\.5\.3", null, (BounceCategory.Transient, Retry), (BounceCategory.Policy, Bounce)),
        R("x.5.x_protocol", null, 0, @"[45]\.5\.\d+", null, (BounceCategory.Transient, Retry), (BounceCategory.Uncategorized, Bounce)),
        R("x.6.x_content", null, 0, @"[45]\.6\.\d+", null, BounceCategory.Content, Retry, Bounce),
        R("x.7.x_policy", null, 0, @"[45]\.7\.\d+", null, BounceCategory.Policy, Retry, Bounce),

        // --- servers that send no enhanced code ------------------------------------------------------------------
        R("text.disabled", null, 5, null,
            @"disabled|deactivated|inactive|suspended|no longer (active|in use|available|accepting)|account (has been )?(closed|expired)",
            BounceCategory.InactiveMailbox, Suppress, Suppress),
        R("text.full", null, 0, null, @"mailbox (is )?full|over ?quota|quota exceeded|insufficient (storage|space)|out of storage",
            BounceCategory.MailboxFull, Retry, Bounce),
        R("text.too_large", null, 0, null, @"too (large|big)|size limit|exceeds (the )?(maximum|fixed|size)|message size|length exceeds",
            BounceCategory.MessageTooLarge, Retry, Bounce),
        R("text.unknown_user", null, 5, null,
            @"user unknown|unknown user|no such (user|recipient|mailbox)|does ?n[o']t exist|recipient (not found|unknown)|unknown recipient|invalid recipient|mailbox (not found|unavailable)|no mailbox|not a valid (recipient|mailbox)|doesn't have an? .{1,40} account",
            BounceCategory.InvalidRecipient, Suppress, Suppress),
        R("text.dns", null, 0, null, @"domain not found|host (not found|unknown)|unresolvable|\bnxdomain\b|no mx|dns",
            BounceCategory.DnsFailure, Retry, Bounce),
        R("text.policy", null, 0, null,
            @"dmarc|\bspf\b|dkim|unauthenticated|authentication|not authori[sz]ed|relay(ing)? (access )?denied|not permitted|policy|access denied|reverse dns|\bptr\b|rdns|\bhelo\b",
            BounceCategory.Policy, Retry, Bounce),
        R("text.connection", null, 4, null, @"connection|timed? ?out|refused|reset|unreachable|\btls\b", BounceCategory.BadConnection, Retry, Retry),
    ];

    /// <summary>Classifies a reply that was not a success. <paramref name="provider"/> is a <see cref="Providers.Provider"/> key.</summary>
    public static BounceClassification Classify(SmtpReply reply, string provider = Provider.Default)
    {
        var enhanced = EnhancedCode().Match(reply.Text) is { Success: true } m ? m.Groups[1].Value : null;

        // No reply at all (a connection failure described by the relay): its enhanced code, if any, gives the class.
        var permanent = reply.Code is >= 500 and < 600 || (reply.Code == 0 && enhanced?[0] == '5');
        foreach (var rule in Rules)
        {
            if (rule.Provider is not null && rule.Provider != provider)
            {
                continue;
            }

            if (rule.Class switch { 4 => permanent, 5 => !permanent, 421 => reply.Code != 421, _ => false })
            {
                continue;
            }

            if (rule.Enhanced is not null && (enhanced is null || !rule.Enhanced.IsMatch(enhanced)))
            {
                continue;
            }

            if (rule.Match is not null && !rule.Match.IsMatch(reply.Text))
            {
                continue;
            }

            var (category, action) = permanent ? rule.Permanent : rule.Temporary;

            // What an upstream answers is never about the relay's own IP: there is no IP to move the mail off.
            action = provider == Provider.Upstream && action == BounceAction.BackOffIp ? BounceAction.Retry : action;
            return new BounceClassification(category, action, Wait(category, reply.Text, permanent), rule.Name);
        }

        return permanent
            ? new BounceClassification(BounceCategory.Uncategorized, BounceAction.Bounce, null, "fallback.permanent")
            : reply.Code == 0
                ? new BounceClassification(BounceCategory.BadConnection, BounceAction.Retry, null, "fallback.no_reply")
                : new BounceClassification(BounceCategory.Transient, BounceAction.Retry, Wait(BounceCategory.Transient, reply.Text, false), "fallback.temporary");
    }

    /// <summary>The wait a temporary reply names ("try again in 5 minutes"); greylisting waits kept within bounds.</summary>
    static TimeSpan? Wait(BounceCategory category, string text, bool permanent)
    {
        if (permanent)
        {
            return null;
        }

        TimeSpan? named = NamedWait().Match(text) is { Success: true } m && int.TryParse(m.Groups[1].Value, out var n)
            ? m.Groups[2].Value.StartsWith("m", StringComparison.OrdinalIgnoreCase) ? TimeSpan.FromMinutes(n) : TimeSpan.FromSeconds(n)
            : null;
        if (category != BounceCategory.Greylisted || named is not { } wait)
        {
            return named;
        }

        return wait < MinGreylistWait ? MinGreylistWait : wait > MaxGreylistWait ? MaxGreylistWait : wait;
    }

    [GeneratedRegex(@"^\s*([245]\.\d{1,3}\.\d{1,3})(?!\.?\d)")]
    private static partial Regex EnhancedCode();

    [GeneratedRegex(@"\b(\d{1,5})\s*(seconds?|secs?|minutes?|mins?)\b", RegexOptions.IgnoreCase)]
    private static partial Regex NamedWait();
}
