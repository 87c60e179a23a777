using System.Text;
using Sendarix.Core.Smtp;
using Sendarix.Reception.Protocol;
using Sendarix.Reception.Protocol.Handlers;

namespace Sendarix.Tests.Unit.Reception.Protocol;

public sealed class BearerHandlerTests
{
    readonly ScriptedLink _link = new();
    readonly Login _login = new();

    [Fact]
    public async Task A_valid_token_logs_the_library_in_with_its_one_time_ticket()
    {
        _login.Result = new BearerLoginResult("dGlja2V0", null);
        var state = await Handler().HandleAsync(GuardCommand.Parse($"AUTH XOAUTH2 {XOAuth2("app@b.example", "good")}"), _link);

        Assert.Equal(GuardState.Command, state);
        Assert.Equal(["AUTH PLAIN dGlja2V0"], _link.LibraryLines);
        Assert.Equal(new BearerResponse("app@b.example", "good"), _login.Seen);
    }

    [Fact]
    public async Task A_refused_token_gets_the_JSON_challenge_and_then_535_through_the_library()
    {
        _login.Result = new BearerLoginResult(null, "invalid_token");
        var handler = Handler();
        Assert.Equal(GuardState.BearerResponse, await handler.HandleAsync(GuardCommand.Parse("AUTH OAUTHBEARER"), _link));
        Assert.Equal("334 ", _link.Replies[^1]);

        var response = Convert.ToBase64String(Encoding.UTF8.GetBytes("n,a=app@b.example,\u0001auth=Bearer expired\u0001\u0001"));
        Assert.Equal(GuardState.BearerErrorAnswer, await handler.ContinueAsync(GuardState.BearerResponse, response, _link));
        var challenge = Encoding.UTF8.GetString(Convert.FromBase64String(_link.Replies[^1]["334 ".Length..]));
        Assert.Equal("""{"status":"invalid_token","schemes":"bearer"}""", challenge);

        Assert.Equal(GuardState.Command, await handler.ContinueAsync(GuardState.BearerErrorAnswer, "AQ==", _link));
        Assert.Equal("AUTH PLAIN AAA=", _link.LibraryLines[^1]);
    }

    [Fact]
    public async Task A_malformed_response_fails_through_the_library_without_asking_for_the_token()
    {
        await Handler().HandleAsync(GuardCommand.Parse("AUTH XOAUTH2 bm90IGEgcmVzcG9uc2U="), _link);
        Assert.Equal(["AUTH PLAIN AAA="], _link.LibraryLines);
        Assert.Null(_login.Seen);
    }

    [Fact]
    public async Task Star_cancels_and_a_cluster_failure_is_temporary()
    {
        var handler = Handler();
        Assert.Equal(GuardState.Command, await handler.ContinueAsync(GuardState.BearerResponse, "*", _link));
        Assert.StartsWith("501 5.7.0", _link.Replies[^1]);

        _login.Failure = new InvalidOperationException("silo unavailable");
        await handler.HandleAsync(GuardCommand.Parse($"AUTH XOAUTH2 {XOAuth2("app@b.example", "t")}"), _link);
        Assert.StartsWith("454 4.7.0", _link.Replies[^1]);
    }

    [Fact]
    public async Task Other_mechanisms_and_a_front_end_without_bearer_logins_leave_AUTH_to_the_library()
    {
        Assert.Null(await Handler().HandleAsync(GuardCommand.Parse("AUTH PLAIN"), _link));
        Assert.Null(await new BearerHandler(null).HandleAsync(GuardCommand.Parse("AUTH XOAUTH2"), _link));
        Assert.Empty(_link.LibraryLines);
    }

    BearerHandler Handler() => new(_login);

    static string XOAuth2(string user, string token) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"user={user}\u0001auth=Bearer {token}\u0001\u0001"));

    sealed class Login : IBearerLogin
    {
        public BearerLoginResult Result { get; set; } = new(null, "invalid_token");

        public Exception? Failure { get; set; }

        public BearerResponse? Seen { get; private set; }

        public Task<BearerLoginResult> LoginAsync(BearerResponse response, CancellationToken cancellationToken)
        {
            Seen = response;
            return Failure is { } failure ? Task.FromException<BearerLoginResult>(failure) : Task.FromResult(Result);
        }
    }
}
