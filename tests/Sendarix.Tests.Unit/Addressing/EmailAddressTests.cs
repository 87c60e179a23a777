using Sendarix.Core.Addressing;

namespace Sendarix.Tests.Unit;

public sealed class EmailAddressTests
{
    [Theory]
    [InlineData("user@example.com", "user", "example.com")]
    [InlineData("first.last@example.com", "first.last", "example.com")]
    [InlineData("a.b.c@example.com", "a.b.c", "example.com")]
    [InlineData("user+tag@example.com", "user+tag", "example.com")]
    [InlineData("!#$%&'*+-/=?^_`{|}~@example.com", "!#$%&'*+-/=?^_`{|}~", "example.com")]
    [InlineData("\"john doe\"@example.com", "\"john doe\"", "example.com")]
    [InlineData("\"a..b\"@example.com", "\"a..b\"", "example.com")]
    [InlineData("\".ab.\"@example.com", "\".ab.\"", "example.com")]
    [InlineData("\"a@b\"@example.com", "\"a@b\"", "example.com")]
    [InlineData("\"\"@example.com", "\"\"", "example.com")]
    [InlineData("josé@example.com", "josé", "example.com")]
    [InlineData("user@bücher.de", "user", "bücher.de")]
    [InlineData("user@mx-1.example.com", "user", "mx-1.example.com")]
    [InlineData("user@localhost", "user", "localhost")]
    [InlineData("user@[127.0.0.1]", "user", "[127.0.0.1]")]
    [InlineData("user@[IPv6:::1]", "user", "[ipv6:::1]")]
    [InlineData("user@[IPv6:2001:db8::1]", "user", "[ipv6:2001:db8::1]")]
    public void Accepts_valid_paths(string text, string local, string domain)
    {
        Assert.True(EmailAddress.TryParse(text, out var address));
        Assert.Equal(local, address.LocalPart);
        Assert.Equal(domain, address.Domain);
        Assert.Equal($"{local}@{domain}", address.ToString());
    }

    [Fact]
    public void Lower_cases_the_domain_but_keeps_the_local_part()
    {
        Assert.True(EmailAddress.TryParse("John.Doe@Example.COM", out var address));
        Assert.Equal("John.Doe", address.LocalPart);
        Assert.Equal("example.com", address.Domain);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("user")]
    [InlineData("@example.com")]
    [InlineData("user@")]
    [InlineData("user@@example.com")]
    [InlineData("a@b@example.com")]
    [InlineData(".user@example.com")]
    [InlineData("user.@example.com")]
    [InlineData("us..er@example.com")]
    [InlineData("us er@example.com")]
    [InlineData("user @example.com")]
    [InlineData("us\"er@example.com")]
    [InlineData("us(er)@example.com")]
    [InlineData("us,er@example.com")]
    [InlineData("us\\er@example.com")]
    [InlineData("\"@example.com")]
    [InlineData("us\u0001er@example.com")]
    [InlineData("us\u007fer@example.com")]
    [InlineData("user\r\n@example.com")]
    [InlineData("\"john\tdoe\"@example.com")]
    [InlineData("\"john\rdoe\"@example.com")]
    [InlineData("\"john\u0000doe\"@example.com")]
    [InlineData("\"john\u007fdoe\"@example.com")]
    [InlineData("user@example..com")]
    [InlineData("user@.example.com")]
    [InlineData("user@example.com.")]
    [InlineData("user@-example.com")]
    [InlineData("user@example-.com")]
    [InlineData("user@example.-com")]
    [InlineData("user@exa_mple.com")]
    [InlineData("user@exa mple.com")]
    [InlineData("user@example.com\r\nRCPT TO:<x@y.z>")]
    [InlineData("user@[]")]
    [InlineData("user@[127.0.0.1")]
    [InlineData("user@127.0.0.1]")]
    [InlineData("user@[300.0.0.1]")]
    [InlineData("user@[not.an.address]")]
    [InlineData("user@[IPv6:not-an-address]")]
    public void Rejects_invalid_paths(string? text)
    {
        Assert.False(EmailAddress.TryParse(text, out _));
    }

    [Fact]
    public void The_local_part_may_have_64_characters_but_not_65()
    {
        Assert.True(EmailAddress.TryParse(new string('a', 64) + "@example.com", out _));
        Assert.False(EmailAddress.TryParse(new string('a', 65) + "@example.com", out _));
    }

    [Fact]
    public void A_quoted_local_part_counts_its_quotes_towards_the_64_characters()
    {
        Assert.True(EmailAddress.TryParse("\"" + new string('a', 62) + "\"@example.com", out _));
        Assert.False(EmailAddress.TryParse("\"" + new string('a', 63) + "\"@example.com", out _));
    }

    [Fact]
    public void The_path_may_have_254_characters_but_not_255()
    {
        var local = new string('a', 64);
        var domain189 = $"{new string('b', 63)}.{new string('c', 63)}.{new string('d', 61)}";
        var domain190 = $"{new string('b', 63)}.{new string('c', 63)}.{new string('d', 62)}";

        Assert.Equal(254, $"{local}@{domain189}".Length);
        Assert.True(EmailAddress.TryParse($"{local}@{domain189}", out _));
        Assert.False(EmailAddress.TryParse($"{local}@{domain190}", out _));
    }

    [Fact]
    public void Splits_at_the_last_at_sign()
    {
        Assert.True(EmailAddress.TryParse("\"a@b\"@Example.com", out var address));
        Assert.Equal(new EmailAddress("\"a@b\"", "example.com"), address);
    }

    // RFC 5321 section 4.1.2: inside a Quoted-string, '"' and '\' may appear only as a quoted-pair ("\" followed by
    // a printable character). These local parts begin and end with a quote but are not Quoted-strings: a next hop
    // reads an unterminated string, so a relay must not accept and pass them on.
    [Theory]
    [InlineData("\"\\\"@example.com")]
    [InlineData("\"a\"b\"@example.com")]
    [InlineData("\"a\\\"@example.com")]
    public void Rejects_quoted_local_parts_that_are_not_rfc5321_quoted_strings(string text)
    {
        Assert.False(EmailAddress.TryParse(text, out _));
    }

    [Fact]
    public void Accepts_a_quoted_pair_inside_a_quoted_local_part()
    {
        Assert.True(EmailAddress.TryParse("\"a\\\"b\"@example.com", out var address));
        Assert.Equal("\"a\\\"b\"", address.LocalPart);
    }
}
