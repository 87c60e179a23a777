using Sendarix.Core.Credentials;

namespace Sendarix.Tests.Unit.Credentials;

public sealed class ApiKeyTokenTests
{
    const string Username = "sx0123456789abcdef";
    const string Secret = "se_cr_et-x0123456789abcdefghijklmnopqrstuvw";

    [Fact]
    public void A_formatted_key_parses_back_even_when_the_secret_has_underscores()
    {
        var token = ApiKeyToken.Format(Username, Secret);
        Assert.Equal($"sxk_{Username}_{Secret}", token);
        Assert.True(ApiKeyToken.TryParse(token, out var username, out var secret));
        Assert.Equal((Username, Secret), (username, secret));
    }

    [Fact]
    public void A_generated_credential_makes_a_key()
    {
        var (username, secret) = (SmtpCredentialSecret.NewUsername(), SmtpCredentialSecret.NewSecret());

        Assert.True(ApiKeyToken.TryParse(ApiKeyToken.Format(username, secret), out var parsedUsername, out var parsedSecret));
        Assert.Equal((username, secret), (parsedUsername, parsedSecret));
    }

    [Theory]
    [InlineData("")]
    [InlineData("operator-key-0123456789")]
    [InlineData("sxk_")]
    [InlineData("sxk__secret")]
    [InlineData("sxk_username_")]
    [InlineData("sxk_usernameonly")]
    [InlineData($"sxk_{Username}")]
    [InlineData($"sxk_{Username}_")]
    [InlineData($"SXK_{Username}_{Secret}")]
    [InlineData($"sxk_SX0123456789ABCDEF_{Secret}")]
    [InlineData($"sxk_sxabc234_{Secret}")]
    [InlineData($"sxk_{Username}_{Secret}x")]
    [InlineData($"sxk_{Username}_{Secret}=")]
    [InlineData($"sxk_{Username}_se_cr_et-x")]
    [InlineData($"sxk_{Username}_se cr_et-x0123456789abcdefghijklmnopqrstuvw")]
    [InlineData($"sxk_{Username}x_{Secret}")]
    public void Anything_else_is_not_an_api_key(string token) =>
        Assert.False(ApiKeyToken.TryParse(token, out _, out _));

    [Fact]
    public void An_over_long_key_is_not_an_api_key()
    {
        Assert.False(ApiKeyToken.TryParse("sxk_" + new string('a', 10_000), out _, out _));
        Assert.False(ApiKeyToken.TryParse($"sxk_{Username}_{new string('a', 10_000)}", out _, out _));
        Assert.False(ApiKeyToken.TryParse($"sxk_{new string('a', 10_000)}_{Secret}", out _, out _));
    }
}
