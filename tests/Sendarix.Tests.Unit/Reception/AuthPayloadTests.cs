using System.Text;
using Sendarix.Reception.Protocol;

namespace Sendarix.Tests.Unit;

public sealed class AuthPayloadTests
{
    [Theory]
    [InlineData("\0user\0secret")]
    [InlineData("user\0user\0secret")]
    [InlineData("\0sxabc\0pass with spaces")]
    [InlineData("\0josé\0pässwörd")]
    [InlineData("\0user\0")]
    public void Plain_with_an_empty_or_identical_authzid_is_valid(string decoded)
    {
        Assert.True(AuthPayload.IsValidPlain(Base64(decoded)));
    }

    [Theory]
    [InlineData("admin\0user\0secret")]
    [InlineData("User\0user\0secret")]
    [InlineData("user \0user\0secret")]
    public void Plain_acting_as_another_identity_is_invalid(string decoded)
    {
        Assert.False(AuthPayload.IsValidPlain(Base64(decoded)));
    }

    [Theory]
    [InlineData("\0\0secret")]
    [InlineData("user\0\0secret")]
    [InlineData("user\0secret")]
    [InlineData("\0user")]
    [InlineData("usersecret")]
    [InlineData("")]
    [InlineData("\0user\0secret\0extra")]
    [InlineData("\0user\0sec\0ret")]
    public void Plain_without_exactly_authzid_authcid_and_password_is_invalid(string decoded)
    {
        Assert.False(AuthPayload.IsValidPlain(Base64(decoded)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("=")]
    [InlineData("*")]
    [InlineData("AGZvbwBiYXI")]
    [InlineData("AGZvbwBiYXI=!")]
    [InlineData("AGZv bwBi YXI=x")]
    [InlineData("not base64 at all")]
    [InlineData("AGZvbwBiYXI=AGZvbwBiYXI=")]
    public void Plain_that_is_not_base64_is_invalid(string text)
    {
        Assert.False(AuthPayload.IsValidPlain(text));
    }

    [Fact]
    public void The_failing_plain_response_is_base64_of_two_nuls_and_is_not_a_valid_plain()
    {
        Assert.True(AuthPayload.IsBase64(AuthPayload.FailingPlain));
        Assert.Equal("\0\0", Encoding.UTF8.GetString(Convert.FromBase64String(AuthPayload.FailingPlain)));
        // Its username is empty, so it never passes the check; the guard sends it precisely because it fails.
        Assert.False(AuthPayload.IsValidPlain(AuthPayload.FailingPlain));
    }

    [Theory]
    [InlineData("dXNlcg==")]
    [InlineData("VXNlcm5hbWU6")]
    [InlineData("AAA=")]
    [InlineData("YQ==")]
    [InlineData("YWI=")]
    [InlineData("YWJj")]
    [InlineData("+/+/")]
    public void Accepts_base64(string text)
    {
        Assert.True(AuthPayload.IsBase64(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("=")]
    [InlineData("*")]
    [InlineData("Y")]
    [InlineData("YQ")]
    [InlineData("YQ=")]
    [InlineData("YQ===")]
    [InlineData("Y===")]
    [InlineData("dXNlcg==dXNlcg==")]
    [InlineData("dXNl cg=")]
    [InlineData("-_-_")]
    [InlineData("dXNlcg!=")]
    public void Rejects_what_is_not_base64(string text)
    {
        Assert.False(AuthPayload.IsBase64(text));
    }

    [Fact]
    public void Whitespace_is_skipped_as_the_library_decoder_skips_it()
    {
        // SmtpServer decodes with Convert.FromBase64String, which ignores white space: such a response parses there.
        Assert.True(AuthPayload.IsBase64("dXNl cg=="));
        Assert.Equal("user"u8.ToArray(), Convert.FromBase64String("dXNl cg=="));
    }

    static string Base64(string decoded) => Convert.ToBase64String(Encoding.UTF8.GetBytes(decoded));
}
