using Sendarix.Core.Bounces;
using Sendarix.Core.Events;
using Sendarix.Core.Subtenants;

namespace Sendarix.Core.Search;

/// <summary>
/// A message search: filters that combine (all must hold). The most selective indexed filter drives the search
/// (<see cref="Driver"/>); the others are checked on each message it finds (<see cref="Matches"/>). Without an
/// indexed filter (sender, domain, subject, status and time only) the search walks the tenant's messages newest first. A status or bounce category applies to the
/// recipient searched for, when there is one, and otherwise to any recipient.
/// </summary>
public sealed record MessageQuery
{
    /// <summary>The longest value a filter takes (an address is at most 254 characters).</summary>
    public const int MaxValueLength = 998;

    public string? Recipient { get; init; }

    public string? Domain { get; init; }

    public string? Sender { get; init; }

    /// <summary>The sub-tenant the message is sent for, in any case.</summary>
    public string? Subtenant { get; init; }

    /// <summary>The client's Message-ID header, with or without angle brackets.</summary>
    public string? MessageIdHeader { get; init; }

    /// <summary>The start of the Subject, in any case.</summary>
    public string? SubjectPrefix { get; init; }

    public string? Tag { get; init; }

    /// <summary>A metadata pair, "key=value".</summary>
    public string? Metadata { get; init; }

    public EventType? Status { get; init; }

    public string? BounceCategory { get; init; }

    /// <summary>Accepted at or after.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Accepted at or before.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>The indexed filter that finds the fewest messages, or null when there is none.</summary>
    public (SearchField Field, string Key)? Driver =>
        Indexed().OrderBy(f => f.Field).Select(f => ((SearchField, string)?)(f.Field, SearchKeys.For(f.Field, f.Value))).FirstOrDefault();

    IEnumerable<(SearchField Field, string Value)> Indexed()
    {
        if (MessageIdHeader is { } id) yield return (SearchField.MessageId, id);
        if (Recipient is { } recipient) yield return (SearchField.Recipient, recipient);
        if (Tag is { } tag) yield return (SearchField.Tag, tag);
        if (Metadata is { } metadata) yield return (SearchField.Metadata, metadata);
    }

    /// <summary>What is wrong with the query, by parameter; empty when it can run.</summary>
    public IReadOnlyDictionary<string, string[]> Problems()
    {
        var problems = new Dictionary<string, string[]>();
        foreach (var (name, value) in new[]
                 {
                     ("recipient", Recipient), ("domain", Domain), ("sender", Sender), ("messageId", MessageIdHeader), ("subject", SubjectPrefix),
                     ("tag", Tag), ("metadata", Metadata), ("bounceCategory", BounceCategory),
                 })
        {
            if (value is not null && (value.Trim().Length == 0 || value.Length > MaxValueLength))
            {
                problems[name] = [$"Between 1 and {MaxValueLength} characters, not only spaces."];
            }
        }

        if (Metadata is { } m && !problems.ContainsKey("metadata") && m.IndexOf('=', StringComparison.Ordinal) <= 0)
        {
            problems["metadata"] = ["A pair written key=value."];
        }

        if (BounceCategory is { } c && !problems.ContainsKey("bounceCategory") && !BounceCategories.Contains(c))
        {
            problems["bounceCategory"] = [$"One of: {string.Join(", ", BounceCategories)}."];
        }

        if (Subtenant is not null && !SubtenantRules.TryNormalize(Subtenant, out _, out var subtenantProblem))
        {
            problems["subtenant"] = [$"A sub-tenant id: this one {subtenantProblem}."];
        }

        if (Since > Until)
        {
            problems["since"] = ["At or before 'until'."];
        }

        return problems;
    }

    /// <summary>The bounce categories events carry, by name.</summary>
    public static IReadOnlyList<string> BounceCategories { get; } = [.. Enum.GetValues<BounceCategory>().Select(BounceClassification.Name)];

    public bool Matches(MessageSummary m)
    {
        if ((Since is { } since && m.AcceptedAt < since) || (Until is { } until && m.AcceptedAt > until))
        {
            return false;
        }

        if (Subtenant is { } subtenant && !string.Equals(m.Subtenant, subtenant.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (Sender is { } sender && SearchKeys.Address(m.From) != SearchKeys.Address(sender))
        {
            return false;
        }

        if (MessageIdHeader is { } id && (m.MessageIdHeader is null || SearchKeys.Normalize(SearchField.MessageId, m.MessageIdHeader) != SearchKeys.Normalize(SearchField.MessageId, id)))
        {
            return false;
        }

        if (SubjectPrefix is { } prefix && !(m.Subject ?? "").StartsWith(prefix.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (Tag is { } tag && !m.Tags.Any(t => SearchKeys.Normalize(SearchField.Tag, t) == SearchKeys.Normalize(SearchField.Tag, tag)))
        {
            return false;
        }

        if (Metadata is { } pair && !m.Metadata.Any(p => SearchKeys.Normalize(SearchField.Metadata, $"{p.Key}={p.Value}") == SearchKeys.Normalize(SearchField.Metadata, pair)))
        {
            return false;
        }

        var recipients = m.Recipients.Where(r => Recipient is null || SearchKeys.Normalize(SearchField.Recipient, r.Address) == SearchKeys.Normalize(SearchField.Recipient, Recipient))
            .Where(r => Domain is null || SearchKeys.Domain(DomainOf(r.Address)) == SearchKeys.Domain(Domain))
            .Where(r => Status is null || r.Status == Status)
            .Where(r => BounceCategory is null || string.Equals(r.BounceCategory, BounceCategory, StringComparison.Ordinal));
        return recipients.Any();
    }

    static string DomainOf(string address) => address[(address.LastIndexOf('@') + 1)..];
}
