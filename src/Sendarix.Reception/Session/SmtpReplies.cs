using Sendarix.Core.Addressing;
using Sendarix.Core.Tags;
using SmtpServer.Protocol;

namespace Sendarix.Reception.Session;

/// <summary>The replies the relay itself composes, each with its enhanced status code.</summary>
internal static class SmtpReplies
{
    public static SmtpResponse Queued(string id) => new(SmtpReplyCode.Ok, $"2.0.0 OK: queued as {id}");

    public static readonly SmtpResponse StorageUnavailable = new((SmtpReplyCode)451, "4.3.0 Temporary failure storing the message; try again later");
    public static readonly SmtpResponse TooLarge = new(SmtpReplyCode.SizeLimitExceeded, "5.3.4 Message size exceeds fixed maximum message size");
    public static readonly SmtpResponse BareLineBreak = new(SmtpReplyCode.TransactionFailed, "5.6.0 Message contains a bare CR or LF; lines must end with CRLF");
    // The sandbox's submission addresses (SubmissionSimulator): each reply says it was simulated.
    public static readonly SmtpResponse SimulatedRecipientFailure = new((SmtpReplyCode)451, "4.3.0 Temporary failure for this recipient; try again later (simulated)");
    public static readonly SmtpResponse SimulatedTooManyRecipients = new((SmtpReplyCode)452, "4.5.3 Too many recipients (simulated)");
    public static readonly SmtpResponse SimulatedStorageFailure = new((SmtpReplyCode)451, "4.3.0 Temporary failure storing the message; try again later (simulated)");

    public static SmtpResponse TooManyRecipients(int limit) => new((SmtpReplyCode)452, $"4.5.3 Too many recipients (at most {limit} per message)");

    public static SmtpResponse TooLargeForAccount(int limit) => new(SmtpReplyCode.SizeLimitExceeded, $"5.3.4 Message size exceeds this account's limit of {limit} bytes");

    public static SmtpResponse Paused(string reason) =>
        new(SmtpReplyCode.MailboxUnavailable, $"5.7.1 Sending is paused for this account ({reason}); the operator can resume it");

    public static SmtpResponse SubtenantPaused(string subtenant, string reason) =>
        new(SmtpReplyCode.MailboxUnavailable, $"5.7.1 Sending is paused for sub-tenant {subtenant} ({reason}); the operator can resume it");

    /// <summary>A sub-tenant named wrongly, unknown, or over the tenant's limit: the text says which (<see cref="Core.Subtenants.SubtenantRules"/>).</summary>
    public static SmtpResponse SubtenantRefused(string text) => new(SmtpReplyCode.MailboxUnavailable, text);

    public static SmtpResponse OverQuota(string limit, TimeSpan retryAfter) =>
        new((SmtpReplyCode)451, $"4.7.1 Sending limit of {limit} reached; try again in {Math.Ceiling(retryAfter.TotalSeconds)} s");
    public static readonly SmtpResponse BadSender = new(SmtpReplyCode.SyntaxError, "5.1.7 Bad sender address syntax");
    public static readonly SmtpResponse BadRecipient = new(SmtpReplyCode.SyntaxError, "5.1.3 Bad recipient address syntax");
    public static readonly SmtpResponse AuthRequired = new(SmtpReplyCode.AuthenticationRequired, "5.7.0 Authentication required");
    // A reply line is ASCII: the domain is named in its A-label form, and one that has none is not repeated.
    public static SmtpResponse UnverifiedSender(string which, string domain) => new(SmtpReplyCode.MailboxUnavailable,
        DomainName.TryToAscii(domain, out var ascii)
            ? $"5.7.1 The {which} domain {ascii} is not a verified sender domain of this account; add and verify it through the API"
            : $"5.7.1 The {which} domain is not a valid domain name");

    public static readonly SmtpResponse SuppressedRecipient = new(SmtpReplyCode.MailboxUnavailable, "5.7.1 The recipient is on this account's suppression list");

    public static SmtpResponse SpamRejected(string reason) => new(SmtpReplyCode.MailboxUnavailable, $"5.7.1 Message refused as spam ({reason})");

    public static readonly SmtpResponse SpamFilterUnavailable = new((SmtpReplyCode)451, "4.7.1 The spam filter is unavailable; try again later");

    public static readonly SmtpResponse MissingFrom = new(SmtpReplyCode.MailboxUnavailable, "5.7.1 The message has no valid From header");

    // The refusal names the rule in ASCII and never repeats the client's text.
    public static SmtpResponse TagsRefused(TagRefusal refusal) => new(SmtpReplyCode.MailboxUnavailable, $"5.6.0 {refusal.Message}");

    public static readonly SmtpResponse AuthLockedOut = new((SmtpReplyCode)454, "4.7.0 Too many failed authentication attempts; try again later");
    public static readonly SmtpResponse AuthUnavailable = new((SmtpReplyCode)454, "4.7.0 Temporary authentication failure; try again later");

    public static readonly SmtpResponse NotAFeedbackAddress = new(SmtpReplyCode.MailboxUnavailable,
        "5.7.1 Relaying denied: this listener only takes feedback reports for its own addresses; submit mail with AUTH on the submission port");

    public static SmtpResponse ComplaintRecorded(string messageId) => new(SmtpReplyCode.Ok, $"2.0.0 OK: complaint recorded for {messageId}");

    public static SmtpResponse ComplaintUnmatched(string detail) => new(SmtpReplyCode.Ok, $"2.0.0 OK: report taken, not acted on: {detail}");

    public static SmtpResponse NotAReport(string detail) => new(SmtpReplyCode.TransactionFailed, $"5.6.0 Not a feedback report: {detail}");
}
