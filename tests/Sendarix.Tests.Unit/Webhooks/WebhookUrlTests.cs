using Sendarix.Core.Webhooks;

namespace Sendarix.Tests.Unit;

public sealed class WebhookUrlTests
{
    [Theory]
    [InlineData("https://hooks.example.com/sendarix", "https://hooks.example.com/sendarix")]
    [InlineData("https://Hooks.Example.COM:8443/a?b=c", "https://hooks.example.com:8443/a?b=c")]
    [InlineData("https://hooks.example.com:443/", "https://hooks.example.com/")]
    [InlineData("https://hooks.example.com./x", "https://hooks.example.com/x")]
    [InlineData("https://Bücher.example/hook", "https://xn--bcher-kva.example/hook")]
    [InlineData("https://Bücher.example/a%20b/%2F?q=%26x&r=ü#frag", "https://xn--bcher-kva.example/a%20b/%2F?q=%26x&r=%C3%BC#frag")]
    [InlineData("https://hooks.example.com/ü?token=a%2Bb", "https://hooks.example.com/%C3%BC?token=a%2Bb")]
    [InlineData("https://8.8.8.8/hook", "https://8.8.8.8/hook")]
    [InlineData("https://[2001:4860:4860::8888]/hook", "https://[2001:4860:4860::8888]/hook")]
    public void Takes_public_https_urls_in_their_stored_form(string text, string stored)
    {
        Assert.True(WebhookUrl.TryParse(text, allowHttp: false, allowPrivateAddresses: false, out var url, out var problem), problem);
        Assert.Equal(stored, url.AbsoluteUri);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("hooks.example.com/x")]
    [InlineData("/etc/passwd")]
    [InlineData("//hooks.example.com/x")]
    [InlineData("https:hooks.example.com")]
    [InlineData("ftp://hooks.example.com/")]
    [InlineData("file:///etc/passwd")]
    [InlineData("javascript://hooks.example.com/%0aalert(1)")]
    [InlineData("http://hooks.example.com/")]
    [InlineData("https://user:password@hooks.example.com/")]
    [InlineData("https://user@hooks.example.com/")]
    [InlineData("https://hooks.example.com/a b")]
    [InlineData("https://hooks.example.com/\r\nHost: x")]
    [InlineData("https://hooks.example.com/\t")]
    [InlineData("https://localhost/")]
    [InlineData("https://api.localhost/")]
    [InlineData("https://intranet/")]
    [InlineData("https://1.2.3.4.5/")]
    [InlineData("https://a_b.example/")]
    [InlineData("https://😀.example/")]
    public void Refuses_what_is_not_a_public_https_url(string? text)
    {
        Assert.False(WebhookUrl.TryParse(text, allowHttp: false, allowPrivateAddresses: false, out var url, out var problem));
        Assert.Null(url);
        Assert.NotEmpty(problem);
    }

    [Fact]
    public void Refuses_urls_longer_than_the_limit()
    {
        var text = "https://hooks.example.com/" + new string('a', WebhookUrl.MaxLength);
        Assert.False(WebhookUrl.TryParse(text, false, false, out _, out var problem));
        Assert.Contains("2000", problem);
        Assert.True(WebhookUrl.TryParse(text[..WebhookUrl.MaxLength], false, false, out _, out _));
    }

    [Theory]
    [InlineData("https://127.0.0.1/", "loopback")]
    [InlineData("https://2130706433/", "loopback")]
    [InlineData("https://0x7f.1/", "loopback")]
    [InlineData("https://0177.0.0.1/", "loopback")]
    [InlineData("https://127.1/", "loopback")]
    [InlineData("https://[::1]/", "loopback")]
    [InlineData("https://[::ffff:127.0.0.1]/", "loopback")]
    [InlineData("https://10.0.0.1/", "private")]
    [InlineData("https://192.168.1.1:8443/", "private")]
    [InlineData("https://[fd00::1]/", "private")]
    [InlineData("https://169.254.169.254/latest/meta-data/", "link-local")]
    [InlineData("https://[fe80::1%25eth0]/", "link-local")]
    [InlineData("https://100.64.0.1/", "shared")]
    [InlineData("https://0.0.0.0/", "unspecified")]
    [InlineData("https://[::]/", "unspecified")]
    [InlineData("https://224.0.0.1/", "multicast")]
    [InlineData("https://255.255.255.255/", "broadcast")]
    public void Refuses_ip_literals_off_the_internet_and_says_why(string text, string scope)
    {
        Assert.False(WebhookUrl.TryParse(text, false, false, out _, out var problem));
        Assert.Contains(scope, problem);
        Assert.True(WebhookUrl.TryParse(text, false, allowPrivateAddresses: true, out _, out var allowed), allowed);
    }

    [Fact]
    public void The_operator_may_allow_http_and_private_addresses()
    {
        Assert.True(WebhookUrl.TryParse("http://hooks.example.com/", allowHttp: true, false, out var http, out _));
        Assert.Equal("http://hooks.example.com/", http.AbsoluteUri);
        Assert.True(WebhookUrl.TryParse("https://localhost:5001/hooks", false, allowPrivateAddresses: true, out var local, out _));
        Assert.Equal("https://localhost:5001/hooks", local.AbsoluteUri);
        Assert.False(WebhookUrl.TryParse("ftp://hooks.example.com/", true, true, out _, out _));
        Assert.False(WebhookUrl.TryParse("https://user:pw@127.0.0.1/", true, true, out _, out _));
    }
}
