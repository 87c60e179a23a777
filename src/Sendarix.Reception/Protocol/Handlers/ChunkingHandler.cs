using Sendarix.Core.Smtp;

namespace Sendarix.Reception.Protocol.Handlers;

/// <summary>
/// CHUNKING (RFC 3030), which the library does not know. A BDAT command moves the guard to reading exactly its size in
/// octets (<see cref="ChunkedMessage"/>); a chunk that is not the last is answered here, in its place among the
/// replies. At the LAST chunk the library is asked for DATA, its 354 is not sent and the data ends at once, and the
/// store takes the chunks' octets (<see cref="TakeContent"/>), so every rule of DATA applies and the reply to the
/// message is the reply to BDAT LAST. DATA or RCPT after a chunk is refused with 503 5.5.1.
/// </summary>
internal sealed class ChunkingHandler(long maxMessageSize, TransactionHandler transaction) : ICommandHandler
{
    const string TooLargeReply = "552 5.3.4 Message size exceeds fixed maximum message size";

    readonly ChunkedMessage _chunks = new(maxMessageSize);
    BdatCommand _current;
    ReadOnlyMemory<byte>? _content;

    /// <summary>The octets the chunk being read still has in all (its size).</summary>
    public long ChunkSize => _current.Size;

    public async ValueTask<GuardState?> HandleAsync(GuardCommand command, IGuardLink link)
    {
        switch (command.Verb)
        {
            case "BDAT":
                if (!BdatCommand.TryParse(command.Line, out _current))
                {
                    await link.AnswerAsync(() => "501 5.5.4 Syntax: BDAT chunk-size [LAST]");
                    return GuardState.Command;
                }

                return GuardState.Chunk;

            case "DATA" or "RCPT" when _chunks.InProgress:
                var verb = command.Verb;
                await link.AnswerAsync(() => $"503 5.5.1 {verb} may not follow BDAT in one transaction");
                return GuardState.Command;

            case "MAIL" or "RSET" or "HELO" or "EHLO":
                // A new transaction, or none: nothing of an earlier message's chunks may reach the store.
                _chunks.Reset();
                _content = null;
                return null;

            default:
                return null;
        }
    }

    /// <summary>Takes octets of the chunk being read (or drops them once the message is too large).</summary>
    public void Append(ReadOnlySpan<byte> octets) => _chunks.Append(octets);

    /// <summary>
    /// Answers a chunk once its octets are read. One that is not the last gets 250 once the replies before it show a
    /// transaction with a recipient. A message over the size limit is refused at its last chunk, and the library's
    /// transaction is reset with it.
    /// </summary>
    public async ValueTask<GuardState> EndChunkAsync(IGuardLink link)
    {
        var chunk = _current;
        if (!chunk.Last)
        {
            _chunks.Continue();
            var tooLarge = _chunks.TooLarge;
            await link.AnswerAsync(() => !transaction.Open ? "503 5.5.1 Bad sequence of commands (MAIL first)"
                : transaction.RecipientsAccepted == 0 ? "554 5.5.1 No valid recipients"
                : tooLarge ? TooLargeReply
                : $"250 2.0.0 {chunk.Size} octets received");
            return GuardState.Command;
        }

        if (_chunks.TooLarge)
        {
            _chunks.Reset();
            await link.PassAsync(new GuardCommand("RSET", "RSET") { Answer = (_, _) => TooLargeReply });
            return GuardState.Command;
        }

        var content = _chunks.Complete();
        var data = new GuardCommand("DATA", "DATA") { Answer = (code, line) => code == 354 ? null : ReplyRewriter.Rewrite("DATA", line) };
        if (await link.PassAndWaitAsync(data) != 354)
        {
            return GuardState.Command;
        }

        _content = content;
        await link.EndDataAsync();
        return GuardState.Command;
    }

    /// <summary>The message the client sent with BDAT, once, for the store: null when it came with DATA.</summary>
    public ReadOnlyMemory<byte>? TakeContent()
    {
        var content = _content;
        _content = null;
        return content;
    }
}
