using Sendarix.Core.Smtp;
using Sendarix.Reception.Protocol;
using Sendarix.Reception.Protocol.Handlers;

namespace Sendarix.Tests.Unit.Reception.Protocol;

/// <summary>
/// The library and the client as a handler sees them: each command passed on is answered at once, in order, with the
/// code <see cref="Library"/> gives it, and its reply is matched to it as the guard does; the client's replies are
/// kept as it would read them.
/// </summary>
internal sealed class ScriptedLink : IGuardLink
{
    readonly Action<GuardCommand, int> _onReply;

    /// <summary>Replies go to the state table, as in the guard.</summary>
    public ScriptedLink(GuardProtocol protocol) => _onReply = protocol.OnReply;

    /// <summary>Replies go to the command and to the transaction's tracker, for a handler tested alone.</summary>
    public ScriptedLink(TransactionHandler? transaction = null) => _onReply = (command, code) =>
    {
        command.Replied(code);
        transaction?.OnReply(command.Verb, code);
    };

    /// <summary>The library's reply code for each command it gets: 354 to DATA, 220 to STARTTLS, 250 otherwise.</summary>
    public Func<GuardCommand, int> Library { get; set; } = command => command.Verb switch
    {
        "DATA" => 354,
        "STARTTLS" => 220,
        _ => 250,
    };

    public List<string> LibraryLines { get; } = [];

    public List<string> Replies { get; } = [];

    /// <summary>How many times the message's data was ended at once (BDAT LAST).</summary>
    public int DataEnded { get; private set; }

    public bool IsSecure { get; set; } = true;

    public CancellationToken Closed => CancellationToken.None;

    public ValueTask PassAsync(GuardCommand command)
    {
        Reply(command);
        return ValueTask.CompletedTask;
    }

    public ValueTask<int> PassAndWaitAsync(GuardCommand command)
    {
        var code = 0;
        command.WhenReplied(c => code = c);
        Reply(command);
        return ValueTask.FromResult(code);
    }

    public ValueTask AnswerAsync(Func<string> reply) => PassAsync(new GuardCommand("NOOP", "NOOP") { Answer = (_, _) => reply() });

    public ValueTask RefuseAsync(string marker) => PassAsync(new GuardCommand(marker, GuardVerbs.Replacement));

    public ValueTask EndDataAsync()
    {
        DataEnded++;
        return PassAsync(new GuardCommand(GuardVerbs.EndOfData, GuardVerbs.EndOfData));
    }

    void Reply(GuardCommand command)
    {
        LibraryLines.Add(command.Line);
        var code = Library(command);
        _onReply(command, code);
        var line = $"{code} scripted";
        if ((command.Answer is { } answer ? answer(code, line) : ReplyRewriter.Rewrite(command.Verb, line)) is { } sent)
        {
            Replies.Add(sent);
        }
    }
}
