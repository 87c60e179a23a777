using Sendarix.Reception.Protocol;
using Sendarix.Reception.Protocol.Handlers;

namespace Sendarix.Tests.Unit.Reception.Protocol;

public sealed class SmtpUtf8HandlerTests
{
    readonly SmtpUtf8Handler _handler = new();
    readonly ScriptedLink _link = new();

    [Fact]
    public async Task UTF8_domains_become_A_labels_and_local_parts_stay_as_sent()
    {
        var mail = GuardCommand.Parse("MAIL FROM:<josé@bücher.example> SMTPUTF8");
        var rcpt = GuardCommand.Parse("RCPT TO:<用户@例子.测试>");
        Assert.Null(await _handler.HandleAsync(mail, _link));
        Assert.Null(await _handler.HandleAsync(rcpt, _link));

        Assert.Equal("MAIL FROM:<josé@xn--bcher-kva.example> SMTPUTF8", mail.Line);
        Assert.Equal("RCPT TO:<用户@xn--fsqu00a.xn--0zwm56d>", rcpt.Line);
        Assert.True(_handler.Asked);
        Assert.Empty(_link.Replies);
    }

    [Fact]
    public async Task A_utf8_path_in_a_transaction_without_SMTPUTF8_is_refused_with_5_6_7()
    {
        Assert.Null(await _handler.HandleAsync(GuardCommand.Parse("MAIL FROM:<a@b.example>"), _link));
        Assert.Equal(GuardState.Command, await _handler.HandleAsync(GuardCommand.Parse("RCPT TO:<josé@d.example>"), _link));

        Assert.False(_handler.Asked);
        Assert.Equal(["NOOP"], _link.LibraryLines);
        Assert.StartsWith("553 5.6.7", Assert.Single(_link.Replies));
    }

    [Fact]
    public async Task Each_MAIL_asks_afresh()
    {
        await _handler.HandleAsync(GuardCommand.Parse("MAIL FROM:<josé@b.example> SMTPUTF8"), _link);
        await _handler.HandleAsync(GuardCommand.Parse("MAIL FROM:<a@b.example>"), _link);
        Assert.False(_handler.Asked);
    }
}
