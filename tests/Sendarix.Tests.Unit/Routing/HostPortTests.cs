using Sendarix.Core.Routing;

namespace Sendarix.Tests.Unit;

public sealed class HostPortTests
{
    [Theory]
    [InlineData("mx.example.com", "mx.example.com", 25)]
    [InlineData("mx.example.com:2525", "mx.example.com", 2525)]
    [InlineData("localhost:1", "localhost", 1)]
    [InlineData("localhost:65535", "localhost", 65535)]
    [InlineData("localhost:0025", "localhost", 25)]
    [InlineData("  mx.example.com:587  ", "mx.example.com", 587)]
    [InlineData("127.0.0.1", "127.0.0.1", 25)]
    [InlineData("127.0.0.1:2525", "127.0.0.1", 2525)]
    [InlineData("[::1]", "::1", 25)]
    [InlineData("[::1]:25", "::1", 25)]
    [InlineData("[::1]:2525", "::1", 2525)]
    [InlineData("[2001:db8::1]:587", "2001:db8::1", 587)]
    [InlineData("[mx.example.com]:26", "mx.example.com", 26)]
    public void Parses_host_and_port(string text, string host, int port)
    {
        Assert.True(HostPort.TryParse(text, out var hostPort));
        Assert.Equal(new HostPort(host, port), hostPort);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(":25")]
    [InlineData("host:")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("host:99999999999")]
    [InlineData("host:-1")]
    [InlineData("host:+25")]
    [InlineData("host: 25")]
    [InlineData("host:25 x")]
    [InlineData("host:2x")]
    [InlineData("host:25:26")]
    [InlineData("::1")]
    [InlineData("::1:25")]
    [InlineData("[")]
    [InlineData("[]")]
    [InlineData("[]:25")]
    [InlineData("[::1")]
    [InlineData("[::1]:")]
    [InlineData("[::1]25")]
    [InlineData("[::1]:0")]
    [InlineData("[::1]:65536")]
    [InlineData("[::1]:x")]
    [InlineData("[::1]]:25")]
    public void Rejects_malformed_text(string? text)
    {
        Assert.False(HostPort.TryParse(text, out _));
    }

    [Theory]
    [InlineData("mx.example.com", 25, "mx.example.com:25")]
    [InlineData("::1", 2525, "[::1]:2525")]
    public void Prints_in_the_form_it_parses(string host, int port, string text)
    {
        var hostPort = new HostPort(host, port);

        Assert.Equal(text, hostPort.ToString());
        Assert.True(HostPort.TryParse(hostPort.ToString(), out var parsed));
        Assert.Equal(hostPort, parsed);
    }
}
