namespace Sendarix.Core.Sandbox;

/// <summary>What the relay itself does, on purpose, when a client submits to one of the simulator's submission addresses.</summary>
public enum SubmissionBehaviour
{
    None,

    /// <summary>RCPT answered <c>451 4.3.0</c>.</summary>
    RefuseRecipient,

    /// <summary>RCPT answered <c>452 4.5.3</c>, as when a message has too many recipients.</summary>
    TooManyRecipients,

    /// <summary>The end of data answered <c>451 4.3.0</c>, as when storage is down; nothing is stored.</summary>
    RefuseAfterData,

    /// <summary>The connection closed after the data, with no reply; nothing is stored.</summary>
    DropAfterData,

    /// <summary>The reply to the data held back past a client's usual time-out, then <c>451 4.3.0</c>; nothing is stored.</summary>
    SlowReplyAfterData,
}

/// <summary>
/// The submission side of the sandbox: addresses of the simulator domain that make the relay itself fail in the ways
/// an application must survive (a refused recipient, a failed or lost end of data, a reply that never comes in time),
/// so failover can be tested without a real outage. None of them stores or delivers anything. A "+tag" after the
/// name is ignored, as for <see cref="MailboxSimulator"/>.
/// </summary>
public static class SubmissionSimulator
{
    /// <summary>Every submission address's local part, with what it does (listed in the README).</summary>
    public static readonly IReadOnlyDictionary<string, SubmissionBehaviour> Addresses = new Dictionary<string, SubmissionBehaviour>
    {
        ["submit-451-rcpt"] = SubmissionBehaviour.RefuseRecipient,
        ["submit-452-rcpt"] = SubmissionBehaviour.TooManyRecipients,
        ["submit-451-data"] = SubmissionBehaviour.RefuseAfterData,
        ["submit-drop-data"] = SubmissionBehaviour.DropAfterData,
        ["submit-slow-data"] = SubmissionBehaviour.SlowReplyAfterData,
    };

    /// <summary>What submitting to <paramref name="address"/> does; <see cref="SubmissionBehaviour.None"/> for any other address.</summary>
    public static SubmissionBehaviour For(string address, string sandboxDomain)
    {
        var at = address.LastIndexOf('@');
        if (sandboxDomain.Length == 0 || at <= 0 || !address.AsSpan(at + 1).Equals(sandboxDomain, StringComparison.OrdinalIgnoreCase))
        {
            return SubmissionBehaviour.None;
        }

        var local = address[..at];
        var plus = local.IndexOf('+');
        return Addresses.GetValueOrDefault((plus >= 0 ? local[..plus] : local).ToLowerInvariant());
    }

    /// <summary>What the end of data does for a message to these recipients: the first that acts there decides.</summary>
    public static SubmissionBehaviour AfterData(IEnumerable<string> recipients, string sandboxDomain) =>
        recipients.Select(r => For(r, sandboxDomain))
            .FirstOrDefault(b => b is SubmissionBehaviour.RefuseAfterData or SubmissionBehaviour.DropAfterData or SubmissionBehaviour.SlowReplyAfterData);
}
