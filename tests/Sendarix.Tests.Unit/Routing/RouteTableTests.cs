using Sendarix.Core.Routing;

namespace Sendarix.Tests.Unit;

public sealed class RouteTableTests
{
    static readonly Route Smarthost = new(RouteTable.Wildcard, [new HostPort("smarthost.example.net", 587)], TlsPolicy.Required);
    static readonly Route Loopback = new("example.com", [new HostPort("127.0.0.1", 2525)], TlsPolicy.Opportunistic);

    [Fact]
    public void An_exact_match_beats_the_wildcard()
    {
        var table = new RouteTable([Smarthost, Loopback]);

        Assert.Same(Loopback, table.Find("example.com"));
    }

    [Fact]
    public void The_order_of_the_routes_does_not_matter()
    {
        var table = new RouteTable([Loopback, Smarthost]);

        Assert.Same(Loopback, table.Find("example.com"));
        Assert.Same(Smarthost, table.Find("example.org"));
    }

    [Fact]
    public void Domains_match_without_regard_to_case()
    {
        var table = new RouteTable([Loopback]);

        Assert.Same(Loopback, table.Find("EXAMPLE.com"));
    }

    [Fact]
    public void The_wildcard_takes_every_other_domain()
    {
        var table = new RouteTable([Smarthost, Loopback]);

        Assert.Same(Smarthost, table.Find("example.org"));
        Assert.Same(Smarthost, table.Find("sub.example.com"));
    }

    [Fact]
    public void Without_a_wildcard_other_domains_have_no_route()
    {
        var table = new RouteTable([Loopback]);

        Assert.Null(table.Find("example.org"));
        Assert.Null(table.Find("sub.example.com"));
    }

    [Fact]
    public void An_empty_table_routes_nothing()
    {
        Assert.Null(new RouteTable([]).Find("example.com"));
    }

    [Fact]
    public void A_domain_listed_twice_throws()
    {
        var again = Loopback with { Domain = "Example.COM" };

        var error = Assert.Throws<ArgumentException>(() => new RouteTable([Loopback, again]));

        Assert.Equal("routes", error.ParamName);
        Assert.Contains("Example.COM", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_wildcard_listed_twice_throws()
    {
        Assert.Throws<ArgumentException>(() => new RouteTable([Smarthost, Smarthost with { Tls = TlsPolicy.Opportunistic }]));
    }
}
