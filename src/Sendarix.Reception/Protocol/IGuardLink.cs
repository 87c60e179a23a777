namespace Sendarix.Reception.Protocol;

/// <summary>The guard's connection to the SMTP library and the client, as its handlers use it.</summary>
internal interface IGuardLink
{
    /// <summary>True once the session runs over TLS.</summary>
    bool IsSecure { get; }

    /// <summary>Cancelled when the session closes.</summary>
    CancellationToken Closed { get; }

    /// <summary>Gives the command to the library; its reply is matched to it.</summary>
    ValueTask PassAsync(GuardCommand command);

    /// <summary>Gives the command to the library and waits for its reply's code.</summary>
    ValueTask<int> PassAndWaitAsync(GuardCommand command);

    /// <summary>
    /// Answers a command itself, in its place among the replies: the library gets a NOOP (valid in any state, and not
    /// an error it would count), and <paramref name="reply"/>, composed when the NOOP's reply is written, replaces it.
    /// </summary>
    ValueTask AnswerAsync(Func<string> reply);

    /// <summary>Refuses a command the library must not see; <paramref name="marker"/> names the reply (<see cref="Sendarix.Core.Smtp.GuardVerbs"/>).</summary>
    ValueTask RefuseAsync(string marker);

    /// <summary>Ends the message data at once, after a DATA the library answered 354: its reply is the message's.</summary>
    ValueTask EndDataAsync();
}
