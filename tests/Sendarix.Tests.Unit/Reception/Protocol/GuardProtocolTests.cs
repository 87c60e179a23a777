using Sendarix.Core.Smtp;
using Sendarix.Reception.Protocol;

namespace Sendarix.Tests.Unit.Reception.Protocol;

/// <summary>Replayed conversations through the state table: which handlers see a command, in which order, and the state after it.</summary>
public sealed class GuardProtocolTests
{
    readonly CancellationTokenSource _draining = new();
    readonly GuardProtocol _protocol;
    readonly ScriptedLink _link;

    public GuardProtocolTests()
    {
        _protocol = new GuardProtocol(maxMessageSize: 1000, bearer: null, _draining.Token);
        _link = new ScriptedLink(_protocol);
    }

    [Fact]
    public async Task A_transaction_runs_through_every_extension_in_order()
    {
        await ReplayAsync(
            "EHLO client.test",
            "MAIL FROM:<josé@bücher.example> SMTPUTF8 ENVID=e1",
            "RCPT TO:<c@d.example> NOTIFY=FAILURE");
        Assert.Equal(GuardState.Chunk, await _protocol.OnLineAsync("BDAT 2 LAST", _link));
        _protocol.Chunking.Append("ok"u8);
        Assert.Equal(GuardState.Command, await _protocol.OnChunkReadAsync(_link));

        Assert.Equal(["EHLO client.test", "MAIL FROM:<josé@xn--bcher-kva.example> SMTPUTF8", "RCPT TO:<c@d.example>", "DATA", "."], _link.LibraryLines);
        Assert.Equal("e1", _protocol.Dsn.Envelope()!.EnvelopeId);
        Assert.True(_protocol.SmtpUtf8.Asked);
        Assert.False(_protocol.Transaction.Open);
    }

    [Fact]
    public async Task A_MAIL_refused_for_its_parameters_leaves_the_open_transaction_and_its_chunks_alone()
    {
        await ReplayAsync("EHLO client.test", "MAIL FROM:<a@b.example>", "RCPT TO:<c@d.example>");
        Assert.Equal(GuardState.Chunk, await _protocol.OnLineAsync("BDAT 3", _link));
        _protocol.Chunking.Append("one"u8);
        await _protocol.OnChunkReadAsync(_link);

        await ReplayAsync("MAIL FROM:<a@b.example> RET=NONE");
        Assert.StartsWith("501 5.5.4", _link.Replies[^1]);
        Assert.True(_protocol.Transaction.Open);

        await _protocol.OnLineAsync("BDAT 3 LAST", _link);
        _protocol.Chunking.Append("two"u8);
        await _protocol.OnChunkReadAsync(_link);
        Assert.Equal("onetwo"u8.ToArray(), _protocol.Chunking.TakeContent()!.Value.ToArray());
    }

    [Fact]
    public async Task DATA_STARTTLS_and_a_SASL_challenge_move_the_state_only_on_the_library_s_reply()
    {
        Assert.Equal(GuardState.TlsHandshake, await _protocol.OnLineAsync("STARTTLS", _link));
        _protocol.Resume();

        _link.Library = command => command.Verb == "AUTH" ? 334 : 250;
        Assert.Equal(GuardState.SaslResponse, await _protocol.OnLineAsync("AUTH LOGIN", _link));
        _link.Library = _ => 235;
        Assert.Equal(GuardState.Command, await _protocol.OnLineAsync("cGFzcw==", _link));

        _link.Library = _ => 503;
        Assert.Equal(GuardState.Command, await _protocol.OnLineAsync("DATA", _link));
        _link.Library = _ => 354;
        Assert.Equal(GuardState.Data, await _protocol.OnLineAsync("DATA", _link));
    }

    [Fact]
    public async Task AUTH_before_TLS_and_PROXY_never_reach_the_library()
    {
        _link.IsSecure = false;
        await ReplayAsync("AUTH PLAIN AHVzZXIAcGFzcw==", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2");

        Assert.Equal([GuardVerbs.Replacement, GuardVerbs.Replacement], _link.LibraryLines);
        Assert.StartsWith("538 5.7.11", _link.Replies[0]);
        Assert.StartsWith("502 5.5.1", _link.Replies[1]);
    }

    [Fact]
    public async Task A_drain_ends_the_session_between_transactions_but_lets_one_in_progress_finish()
    {
        await ReplayAsync("EHLO client.test", "MAIL FROM:<a@b.example>");
        _draining.Cancel();
        Assert.Equal(GuardState.Command, await _protocol.OnLineAsync("RCPT TO:<c@d.example>", _link));
        Assert.Equal(GuardState.Data, await _protocol.OnLineAsync("DATA", _link));
        _protocol.Resume();
        await _link.EndDataAsync();

        Assert.Equal(GuardState.Command, await _protocol.OnLineAsync("QUIT", _link));
        Assert.Equal(GuardState.Drained, await _protocol.OnLineAsync("MAIL FROM:<a@b.example>", _link));
    }

    async Task ReplayAsync(params string[] lines)
    {
        foreach (var line in lines)
        {
            Assert.Equal(GuardState.Command, await _protocol.OnLineAsync(line, _link));
        }
    }
}
