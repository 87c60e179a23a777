using System.Net;
using Sendarix.Core.Credentials;

namespace Sendarix.Tests.Unit;

public sealed class NetworkAllowlistTests
{
    [Theory]
    [InlineData("203.0.113.7", true)]
    [InlineData("203.0.113.255", true)]
    [InlineData("203.0.114.1", false)]
    [InlineData("192.0.2.7", true)]
    [InlineData("192.0.2.8", false)]
    [InlineData("2001:db8::1", true)]
    [InlineData("2001:db9::1", false)]
    [InlineData("::ffff:203.0.113.9", true)]
    public void Allows_addresses_inside_its_networks_only(string address, bool allowed)
    {
        Assert.True(NetworkAllowlist.TryParse(["203.0.113.0/24", "192.0.2.7", "2001:db8::/32"], out var list, out _));
        Assert.Equal(allowed, list.Allows(IPAddress.Parse(address)));
    }

    [Fact]
    public void An_empty_list_allows_everything_and_a_missing_address_only_then()
    {
        Assert.True(NetworkAllowlist.TryParse([], out var empty, out _));
        Assert.True(empty.Allows(IPAddress.Parse("198.51.100.1")));
        Assert.True(empty.Allows(null));
        Assert.True(NetworkAllowlist.TryParse(["10.0.0.0/8"], out var list, out _));
        Assert.False(list.Allows(null));
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.1/8")]
    [InlineData("not an address")]
    [InlineData("")]
    public void Refuses_entries_that_are_not_networks(string entry)
    {
        Assert.False(NetworkAllowlist.TryParse(["10.0.0.0/8", entry], out _, out var invalid));
        Assert.Equal(entry, invalid);
    }

    [Fact]
    public void Refuses_a_null_entry()
    {
        Assert.False(NetworkAllowlist.TryParse(["10.0.0.0/8", null], out _, out var invalid));
        Assert.Null(invalid);
    }
}
