using System.Text;
using Sendarix.Core.Smtp;

namespace Sendarix.Tests.Unit.Smtp;

public sealed class BearerResponseTests
{
    static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    [Fact]
    public void XOAUTH2_gives_the_user_and_the_token()
    {
        Assert.True(BearerResponse.TryParse(BearerResponse.XOAuth2, B64("user=app@shop.example\u0001auth=Bearer eyJ.abc-_~+/=\u0001\u0001"), out var r));
        Assert.Equal(new BearerResponse("app@shop.example", "eyJ.abc-_~+/="), r);
    }

    [Fact]
    public void OAUTHBEARER_reads_the_gs2_header_and_the_key_value_pairs()
    {
        Assert.True(BearerResponse.TryParse(BearerResponse.OAuthBearer, B64("n,a=app=2Cx@shop.example,\u0001host=relay.test\u0001port=587\u0001auth=Bearer t0ken\u0001\u0001"), out var r));
        Assert.Equal(new BearerResponse("app,x@shop.example", "t0ken"), r);
    }

    [Theory]
    [InlineData("XOAUTH2", "not base64!")]
    [InlineData("XOAUTH2", "user=a@b.example\u0001\u0001")]
    [InlineData("XOAUTH2", "auth=Bearer abc\u0001\u0001")]
    [InlineData("XOAUTH2", "user=a@b.example\u0001auth=Basic abc\u0001\u0001")]
    [InlineData("XOAUTH2", "user=a@b.example\u0001auth=Bearer a b\u0001\u0001")]
    [InlineData("XOAUTH2", "user=a@b.example\u0001auth=Bearer \u0001\u0001")]
    [InlineData("OAUTHBEARER", "p=tls-unique,a=a@b.example,\u0001auth=Bearer abc\u0001\u0001")]
    [InlineData("OAUTHBEARER", "n,,\u0001auth=Bearer abc\u0001\u0001")]
    [InlineData("OAUTHBEARER", "n,a=a@b.example")]
    public void Malformed_responses_are_refused(string mechanism, string text)
    {
        var base64 = text == "not base64!" ? text : B64(text);
        Assert.False(BearerResponse.TryParse(mechanism, base64, out _));
    }

    [Fact]
    public void The_error_challenge_is_the_RFC_7628_json()
    {
        Assert.Equal("{\"status\":\"invalid_token\",\"schemes\":\"bearer\"}", Encoding.UTF8.GetString(Convert.FromBase64String(BearerResponse.ErrorChallenge("invalid_token"))));
    }
}
