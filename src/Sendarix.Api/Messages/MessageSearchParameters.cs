using Sendarix.Core.Search;

namespace Sendarix.Api.Messages;

/// <summary>A message search as the query string gives it: filters (all must hold), 'limit' and 'next'.</summary>
/// <param name="Recipient">A recipient's address, exactly (in any case).</param>
/// <param name="Domain">A recipient's domain.</param>
/// <param name="Sender">The envelope sender.</param>
/// <param name="Subtenant">The sub-tenant the message is sent for.</param>
/// <param name="MessageId">The client's Message-ID header, with or without its angle brackets.</param>
/// <param name="Subject">The start of the Subject, in any case.</param>
/// <param name="Tag">A tag the message carries.</param>
/// <param name="Metadata">A metadata pair the message carries, written key=value.</param>
/// <param name="Status">A recipient's status now: queued, delivered, deferred, bounced, expired, failed, suppressed or complained.</param>
/// <param name="BounceCategory">The bounce category of a recipient's last outcome.</param>
/// <param name="Since">Accepted at or after this time.</param>
/// <param name="Until">Accepted at or before this time.</param>
/// <param name="Limit">The most messages on a page (1 to 100, default 50).</param>
/// <param name="Next">The previous page's 'next'.</param>
public sealed record MessageSearchParameters(
    string? Recipient,
    string? Domain,
    string? Sender,
    string? Subtenant,
    string? MessageId,
    string? Subject,
    string? Tag,
    string? Metadata,
    string? Status,
    string? BounceCategory,
    DateTimeOffset? Since,
    DateTimeOffset? Until,
    int? Limit,
    string? Next)
{
    /// <summary>Each result is one summary read: a page stays small.</summary>
    public const int MaxLimit = 100;

    public MessageQuery Query() => new()
    {
        Recipient = Recipient,
        Domain = Domain,
        Sender = Sender,
        Subtenant = Subtenant,
        MessageIdHeader = MessageId,
        SubjectPrefix = Subject,
        Tag = Tag,
        Metadata = Metadata,
        Status = RecipientStatus.TryParse(Status, out var status) ? status : null,
        BounceCategory = BounceCategory,
        Since = Since,
        Until = Until,
    };

    public IReadOnlyDictionary<string, string[]> Problems()
    {
        // A cursor is the local part of a message id.
        var problems = Paging.Problems(Limit, Next, MaxLimit, next => next.Length <= 40 && next.All(char.IsAsciiLetterOrDigit));
        foreach (var (name, problem) in Query().Problems())
        {
            problems[name] = problem;
        }

        if (Status is not null && !RecipientStatus.TryParse(Status, out _))
        {
            problems["status"] = [$"One of: {string.Join(", ", RecipientStatus.Names)}."];
        }

        return problems;
    }
}
