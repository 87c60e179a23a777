using Sendarix.Core.Smtp;
using Sendarix.Reception.Protocol;
using Sendarix.Reception.Protocol.Handlers;

namespace Sendarix.Tests.Unit.Reception.Protocol;

public sealed class DsnHandlerTests
{
    readonly DsnHandler _handler = new();
    readonly ScriptedLink _link = new();

    [Fact]
    public async Task Parameters_come_off_the_lines_and_a_recipient_keeps_its_own_only_when_its_reply_accepts_it()
    {
        await PassAsync("MAIL FROM:<a@b.example> SIZE=10 RET=FULL ENVID=batch+2D7");
        await PassAsync("RCPT TO:<c@d.example> NOTIFY=FAILURE,DELAY ORCPT=rfc822;c@old.example");
        _link.Library = _ => 550;
        await PassAsync("RCPT TO:<refused@d.example> NOTIFY=NEVER");
        _link.Library = _ => 250;
        await PassAsync("RCPT TO:<e@d.example>");

        Assert.Equal(["MAIL FROM:<a@b.example> SIZE=10", "RCPT TO:<c@d.example>", "RCPT TO:<refused@d.example>", "RCPT TO:<e@d.example>"], _link.LibraryLines);
        var envelope = _handler.Envelope()!;
        Assert.Equal((DsnReturn.Full, "batch-7"), (envelope.Return, envelope.EnvelopeId));
        Assert.Equal([new DsnRecipient(DsnNotify.Failure | DsnNotify.Delay, "rfc822;c@old.example"), default], envelope.Recipients);
    }

    [Theory]
    [InlineData("MAIL FROM:<a@b.example> RET=SOME", "501 5.5.4")]
    [InlineData("MAIL FROM:<a@b.example> ENVID=one ENVID=two", "501 5.5.4")]
    [InlineData("RCPT TO:<c@d.example> NOTIFY=NEVER,FAILURE", "501 5.5.4 NOTIFY")]
    [InlineData("RCPT TO:<c@d.example> ORCPT=nosemicolon", "501 5.5.4 ORCPT")]
    public async Task A_malformed_parameter_is_answered_in_place_and_never_reaches_the_library(string line, string reply)
    {
        Assert.Equal(GuardState.Command, await _handler.HandleAsync(GuardCommand.Parse(line), _link));
        Assert.Equal(["NOOP"], _link.LibraryLines);
        Assert.StartsWith(reply, Assert.Single(_link.Replies));
    }

    [Fact]
    public async Task A_client_that_gives_none_has_no_envelope_and_a_new_transaction_forgets_the_last()
    {
        await PassAsync("MAIL FROM:<a@b.example>");
        await PassAsync("RCPT TO:<c@d.example>");
        Assert.Null(_handler.Envelope());

        await PassAsync("MAIL FROM:<a@b.example> ENVID=x");
        await PassAsync("RCPT TO:<c@d.example> NOTIFY=SUCCESS");
        await PassAsync("RSET");
        Assert.Null(_handler.Envelope()?.EnvelopeId);
        await PassAsync("MAIL FROM:<a@b.example>");
        Assert.Null(_handler.Envelope());
    }

    async Task PassAsync(string line)
    {
        var command = GuardCommand.Parse(line);
        Assert.Null(await _handler.HandleAsync(command, _link));
        await _link.PassAsync(command);
    }
}
