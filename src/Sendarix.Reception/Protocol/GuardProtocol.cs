using System.Collections.Frozen;
using Sendarix.Core.Smtp;
using Sendarix.Reception.Protocol.Handlers;

namespace Sendarix.Reception.Protocol;

/// <summary>
/// The guard's state table. In each state one handler takes the client's next line; a command line goes to the
/// handlers its verb lists, in order, each of which may rewrite it, watch its reply or answer it; a command none of
/// them answers goes to the library as it stands. Every reply the library writes comes back here with the command
/// it answers (<see cref="GuardCommand"/>), never guessed from its code.
/// </summary>
internal sealed class GuardProtocol
{
    readonly FrozenDictionary<string, ICommandHandler[]> _commands;
    readonly CancellationToken _draining;
    volatile GuardState _state;

    public GuardProtocol(long maxMessageSize, IBearerLogin? bearer, CancellationToken draining)
    {
        _draining = draining;
        Chunking = new ChunkingHandler(maxMessageSize, Transaction);
        Bearer = new BearerHandler(bearer);
        var core = new CoreCommands();
        ICommandHandler[] noTransaction = [Dsn, Chunking];
        _commands = new Dictionary<string, ICommandHandler[]>
        {
            // Parameters come off MAIL before its path is normalised; the transaction starts only if both pass.
            ["MAIL"] = [Dsn, SmtpUtf8, Chunking, Transaction],
            ["RCPT"] = [Chunking, Dsn, SmtpUtf8],
            ["DATA"] = [Chunking, core],
            ["BDAT"] = [Chunking],
            ["RSET"] = noTransaction,
            ["HELO"] = noTransaction,
            ["EHLO"] = noTransaction,
            ["AUTH"] = [core, Bearer, Sasl],
            ["STARTTLS"] = [core],
            ["PROXY"] = [core],
        }.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>What the guard reads next.</summary>
    public GuardState State => _state;

    public TransactionHandler Transaction { get; } = new();

    public DsnHandler Dsn { get; } = new();

    public SmtpUtf8Handler SmtpUtf8 { get; } = new();

    public ChunkingHandler Chunking { get; }

    public SaslHandler Sasl { get; } = new();

    public BearerHandler Bearer { get; }

    /// <summary>Takes the client's next line in the current state; returns the state after it.</summary>
    public async ValueTask<GuardState> OnLineAsync(string line, IGuardLink link)
    {
        var state = _state;
        _state = state switch
        {
            GuardState.SaslResponse => await Sasl.ContinueAsync(line, link),
            GuardState.BearerResponse or GuardState.BearerErrorAnswer => await Bearer.ContinueAsync(state, line, link),
            _ => await OnCommandAsync(GuardCommand.Parse(line), link),
        };
        return _state;
    }

    /// <summary>After a chunk's octets: its reply; returns the state after it.</summary>
    public async ValueTask<GuardState> OnChunkReadAsync(IGuardLink link) => _state = await Chunking.EndChunkAsync(link);

    /// <summary>
    /// A line over the length limit, never passed on: a command is refused (500 5.5.6); a response in a login exchange
    /// fails the exchange (RFC 4954's 500 5.5.6). Commands follow either way.
    /// </summary>
    public async ValueTask OnLineTooLongAsync(IGuardLink link)
    {
        var state = _state;
        _state = GuardState.Command;
        if (state == GuardState.SaslResponse)
        {
            await Sasl.FailAsync(link);
        }
        else
        {
            await link.RefuseAsync(GuardVerbs.LineTooLong);
        }
    }

    /// <summary>After the message's data or the TLS handshake: commands again.</summary>
    public void Resume() => _state = GuardState.Command;

    /// <summary>A reply the library wrote, with the command it answers.</summary>
    public void OnReply(GuardCommand command, int code)
    {
        command.Replied(code);
        Transaction.OnReply(command.Verb, code);
    }

    async ValueTask<GuardState> OnCommandAsync(GuardCommand command, IGuardLink link)
    {
        if (_draining.IsCancellationRequested && !Transaction.Open && command.Verb != "QUIT")
        {
            return GuardState.Drained;
        }

        if (_commands.TryGetValue(command.Verb, out var handlers))
        {
            foreach (var handler in handlers)
            {
                if (await handler.HandleAsync(command, link) is { } next)
                {
                    return next;
                }
            }
        }

        await link.PassAsync(command);
        return GuardState.Command;
    }
}
