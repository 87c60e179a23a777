using System.Text;
using Sendarix.Reception.Protocol;
using Sendarix.Reception.Protocol.Handlers;

namespace Sendarix.Tests.Unit.Reception.Protocol;

public sealed class SaslHandlerTests
{
    const string FailingPlain = "AAA=";

    readonly SaslHandler _handler = new();
    readonly ScriptedLink _link = new();

    [Fact]
    public async Task LOGIN_continues_while_the_library_answers_334_and_ends_with_its_final_reply()
    {
        var codes = new Queue<int>([334, 334, 235]);
        _link.Library = _ => codes.Dequeue();

        Assert.Equal(GuardState.SaslResponse, await _handler.HandleAsync(GuardCommand.Parse("AUTH LOGIN"), _link));
        Assert.Equal(GuardState.SaslResponse, await _handler.ContinueAsync(B64("user"), _link));
        Assert.Equal(GuardState.Command, await _handler.ContinueAsync(B64("secret"), _link));
        Assert.Equal(["AUTH LOGIN", B64("user"), B64("secret")], _link.LibraryLines);
        Assert.Equal("235 2.7.0 Authentication successful", _link.Replies[^1]);
    }

    [Theory]
    [InlineData("AUTH PLAIN not-base64!", "AUTH PLAIN " + FailingPlain)]
    [InlineData("AUTH LOGIN not-base64!", "AUTH LOGIN")]
    public async Task An_initial_response_the_library_cannot_parse_is_replaced_by_one_that_fails(string line, string passed)
    {
        await _handler.HandleAsync(GuardCommand.Parse(line), _link);
        Assert.Equal([passed], _link.LibraryLines);
    }

    [Fact]
    public async Task A_PLAIN_response_acting_as_another_identity_fails_like_a_wrong_password()
    {
        _link.Library = _ => 334;
        await _handler.HandleAsync(GuardCommand.Parse("AUTH PLAIN"), _link);
        _link.Library = _ => 535;
        Assert.Equal(GuardState.Command, await _handler.ContinueAsync(B64("admin\0user\0secret"), _link));

        Assert.Equal(["AUTH PLAIN", FailingPlain], _link.LibraryLines);
        Assert.StartsWith("535 5.7.8", _link.Replies[^1]);
    }

    [Fact]
    public async Task A_response_over_the_line_limit_fails_the_exchange_with_one_500_5_5_6()
    {
        var codes = new Queue<int>([334, 334, 535]);
        _link.Library = _ => codes.Dequeue();
        await _handler.HandleAsync(GuardCommand.Parse("AUTH LOGIN"), _link);
        await _handler.FailAsync(_link);

        Assert.Equal(["AUTH LOGIN", "", ""], _link.LibraryLines);
        Assert.Equal(["334 scripted", "500 5.5.6 Authentication exchange line is too long"], _link.Replies);
    }

    static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
