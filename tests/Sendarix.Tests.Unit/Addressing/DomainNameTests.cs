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

    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("Example.COM", "example.com")]
    [InlineData("example.com.", "example.com")]
    [InlineData("ünï.test", "xn--n-nga1b.test")]
    [InlineData("ÜNÏ.TEST", "xn--n-nga1b.test")]
    [InlineData("xn--n-nga1b.test", "xn--n-nga1b.test")]
    [InlineData("XN--N-NGA1B.test", "xn--n-nga1b.test")]
    [InlineData("xn--n-tea1b.test", "xn--n-nga1b.test")]
    [InlineData("Bücher.example.", "xn--bcher-kva.example")]
    [InlineData("mail.bücher.example", "mail.xn--bcher-kva.example")]
    [InlineData("日本語.jp", "xn--wgv71a119e.jp")]
    [InlineData("straße.de", "xn--strae-oqa.de")]
    public void Either_spelling_of_a_domain_has_one_a_label_form(string domain, string ascii)
    {
        Assert.True(DomainName.TryToAscii(domain, out var converted));
        Assert.Equal(ascii, converted);
        Assert.True(DomainName.IsValid(domain.TrimEnd('.')));
    }

    // Without ICU, .NET would Punycode-encode any code point: controls, spaces, format characters and symbols are
    // refused here instead of becoming a valid-looking A-label.
    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("a..b")]
    [InlineData("exa_mple.com")]
    [InlineData("xn--zz.test")]
    [InlineData("xn--.test")]
    [InlineData("xn--ab-qa.test")]
    [InlineData("a\u0085b.test")]
    [InlineData("a\u009fb.test")]
    [InlineData("a\u00a0b.test")]
    [InlineData("a\u200db.test")]
    [InlineData("a\u2028b.test")]
    [InlineData("a\ufeffb.test")]
    [InlineData("a\ue000b.test")]
    [InlineData("a\u3002b")]
    [InlineData("\ud83d\ude00.test")]
    [InlineData("\u0301a.test")]
    [InlineData("ü/b.test")]
    [InlineData("ü#b.test")]
    [InlineData("ü?b.test")]
    [InlineData("ü\\b.test")]
    [InlineData("ü b.test")]
    [InlineData("ü\u0000.test")]
    public void Whatever_is_not_a_host_name_has_no_a_label_form(string escaped)
    {
        var domain = System.Text.RegularExpressions.Regex.Unescape(escaped);

        Assert.False(DomainName.TryToAscii(domain, out var ascii));
        Assert.Equal("", ascii);
        Assert.False(DomainName.IsValid(domain));
    }

    [Fact]
    public void An_address_literal_is_valid_but_has_no_a_label_form()
    {
        Assert.True(DomainName.IsValid("[127.0.0.1]"));
        Assert.False(DomainName.TryToAscii("[127.0.0.1]", out _));
    }

    [Fact]
    public void The_length_limits_hold_for_the_a_label_form()
    {
        // 20 "ü" encode to 26 characters ("xn--tdaaaaaaaaaaaaaaaaaaaa"); 60 of them to more than 63.
        Assert.True(DomainName.TryToAscii(new string('ü', 20) + ".test", out _));
        Assert.False(DomainName.TryToAscii(new string('ü', 60) + ".test", out _));
        Assert.False(DomainName.TryToAscii(new string('a', 10_000), out _));
        Assert.False(DomainName.TryToAscii(new string('ü', 10_000), out _));
        Assert.False(DomainName.TryToAscii(null, out _));
    }
}
