using Sendarix.Core.Addressing;

namespace Sendarix.Tests.Unit;

public sealed class DomainNameTests
{
    [Theory]
    [InlineData("example.com")]
    [InlineData("Example.COM")]
    [InlineData("localhost")]
    [InlineData("a")]
    [InlineData("mx-1.example.com")]
    [InlineData("a-b-c.d-e")]
    [InlineData("xn--bcher-kva.de")]
    [InlineData("bücher.de")]
    [InlineData("123.example.com")]
    [InlineData("[127.0.0.1]")]
    [InlineData("[192.0.2.255]")]
    [InlineData("[IPv6:::1]")]
    [InlineData("[ipv6:::1]")]
    [InlineData("[IPv6:2001:db8::1]")]
    [InlineData("[IPv6:::ffff:192.0.2.1]")]
    public void Accepts_host_names_and_address_literals(string domain)
    {
        Assert.True(DomainName.IsValid(domain));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("example.com.")]
    [InlineData(".example.com")]
    [InlineData("example..com")]
    [InlineData("-example.com")]
    [InlineData("example-.com")]
    [InlineData("mx.-example.com")]
    [InlineData("mx.example-")]
    [InlineData("-")]
    [InlineData("exa_mple.com")]
    [InlineData("exa mple.com")]
    [InlineData("example.com\r")]
    [InlineData("exa\u0000mple.com")]
    [InlineData("exam@ple.com")]
    [InlineData("[")]
    [InlineData("[]")]
    [InlineData("]")]
    [InlineData("[127.0.0.1")]
    [InlineData("127.0.0.1]")]
    [InlineData("[256.0.0.1]")]
    [InlineData("[ 127.0.0.1]")]
    [InlineData("[example.com]")]
    [InlineData("[IPv6:]")]
    [InlineData("[IPv6:::g]")]
    [InlineData("[IPv4:127.0.0.1]")]
    public void Rejects_what_is_neither(string domain)
    {
        Assert.False(DomainName.IsValid(domain));
    }

    [Fact]
    public void A_label_may_have_63_characters_but_not_64()
    {
        Assert.True(DomainName.IsValid(new string('a', 63) + ".com"));
        Assert.False(DomainName.IsValid(new string('a', 64) + ".com"));
    }

    [Fact]
    public void A_domain_may_have_253_characters_but_not_254()
    {
        var prefix = $"{new string('a', 63)}.{new string('b', 63)}.{new string('c', 63)}.";
        var domain253 = prefix + new string('d', 61);
        var domain254 = prefix + new string('d', 62);

        Assert.Equal(253, domain253.Length);
        Assert.True(DomainName.IsValid(domain253));
        Assert.False(DomainName.IsValid(domain254));
    }

    // RFC 5321 section 4.1.3: an IPv4 literal is four dotted decimal numbers, and an IPv6 literal carries the
    // "IPv6:" tag and an IPv6 address (no zone index). IPAddress.TryParse also takes legacy and platform forms.
    [Theory]
    [InlineData("[127.1]")]
    [InlineData("[1]")]
    [InlineData("[0x7f.0.0.1]")]
    [InlineData("[::1]")]
    [InlineData("[IPv6:127.0.0.1]")]
    [InlineData("[IPv6:fe80::1%4]")]
    public void Rejects_address_literals_outside_rfc5321_syntax(string domain)
    {
        Assert.False(DomainName.IsValid(domain));
    }
}
