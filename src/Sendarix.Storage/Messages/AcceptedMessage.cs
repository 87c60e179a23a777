using System.Collections.ObjectModel;
using Sendarix.Core.Ids;

namespace Sendarix.Storage.Messages;

/// <summary>
/// A message as the front-end received it, ready to be made durable, with the client's own Message-ID and Subject
/// headers, tags and metadata (for the API and the events that will report on it). The body no longer carries the
/// fields the tags and metadata came from.
/// </summary>
public sealed record AcceptedMessage(
    MessageId Id,
    string From,
    IReadOnlyList<string> Recipients,
    ReadOnlyMemory<byte> Body,
    DateTimeOffset AcceptedAt,
    string? ClientAddress,
    string? MessageIdHeader = null,
    string? Subject = null)
{
    /// <summary>The client's tags, in the order first given.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The client's metadata, keys as written, in the order first given.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = ReadOnlyDictionary<string, string>.Empty;

    /// <summary>The acceptance span's W3C traceparent, which the work item carries on; null when traces are not collected.</summary>
    public string? TraceParent { get; init; }

    /// <summary>The client's DSN parameters (RFC 3461); null when it gave none.</summary>
    public Core.Smtp.DsnEnvelope? Dsn { get; init; }

    /// <summary>The client sent it with SMTPUTF8 (RFC 6531): UTF-8 addresses or header.</summary>
    public bool SmtpUtf8 { get; init; }

    /// <summary>The tenant's sub-tenant the message belongs to; null: the tenant itself.</summary>
    public string? Subtenant { get; init; }

    /// <summary>The suppression list the message's recipients are checked against and added to (its sub-tenant's own, or the tenant's).</summary>
    public string? SuppressionList { get; init; }

    /// <summary>The spam filter's verdict, when the message was scanned (or why it could not be).</summary>
    public Core.Spam.SpamVerdict? Spam { get; init; }

    /// <summary>Held back from delivery as spam: stored, and delivered only if released.</summary>
    public bool Held { get; init; }
}
