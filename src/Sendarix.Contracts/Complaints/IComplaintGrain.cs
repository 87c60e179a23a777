namespace Sendarix.Contracts.Complaints;

/// <summary>
/// Takes feedback-loop reports (ARF, RFC 5965), whichever way they arrive (the API or the SMTP feedback address),
/// so both paths match, record and suppress the same way. Stateless: any silo handles any report.
/// </summary>
public interface IComplaintGrain : IGrainWithIntegerKey
{
    /// <summary>Parses <paramref name="report"/> (a whole MIME message) and acts on it.</summary>
    Task<ComplaintOutcome> ReceiveAsync(byte[] report);
}

public enum ComplaintStatus
{
    /// <summary>Matched; a complained event was recorded and the recipient suppressed.</summary>
    Recorded,

    /// <summary>Not an ARF report, or one without the original message or its headers.</summary>
    NotAReport,

    /// <summary>A well-formed report about no message this relay has a record of.</summary>
    MessageNotFound,

    /// <summary>The message has several recipients and the report does not say which one complained.</summary>
    RecipientUnknown,
}

/// <summary>What became of a report; <see cref="Detail"/> explains a refusal in words a sender understands.</summary>
[GenerateSerializer, Immutable, Alias("Sendarix.ComplaintOutcome")]
public sealed record ComplaintOutcome(
    [property: Id(0)] ComplaintStatus Status,
    [property: Id(1)] string? Detail,
    [property: Id(2)] string? MessageId = null,
    [property: Id(3)] string? TenantId = null,
    [property: Id(4)] string? Recipient = null,
    [property: Id(5)] string? FeedbackType = null);
