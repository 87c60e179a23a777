using Sendarix.Core.Credentials;

namespace Sendarix.Tests.Unit.Credentials;

public sealed class ApiKeyTokenTests
{
    [Fact]
    public void A_formatted_key_parses_back_even_when_the_secret_has_underscores()
    {
        var token = ApiKeyToken.Format("sxabc234", "se_cr_et-x");
        Assert.Equal("sxk_sxabc234_se_cr_et-x", token);
        Assert.True(ApiKeyToken.TryParse(token, out var username, out var secret));
        Assert.Equal(("sxabc234", "se_cr_et-x"), (username, secret));
    }

    [Theory]
    [InlineData("")]
    [InlineData("operator-key-0123456789")]
    [InlineData("sxk_")]
    [InlineData("sxk__secret")]
    [InlineData("sxk_username_")]
    [InlineData("sxk_usernameonly")]
    public void Anything_else_is_not_an_api_key(string token) =>
        Assert.False(ApiKeyToken.TryParse(token, out _, out _));
}
