using Sendarix.Core.Domains;

namespace Sendarix.Tests.Unit;

public sealed class SenderAuthorityTests
{
    const string Me = "t-me";
    const string Other = "t-other";

    [Fact]
    public void Without_exemption_or_subdomains_only_the_domain_itself_is_asked()
    {
        Assert.Equal(["mail.example.com"], SenderAuthority.Candidates("Mail.Example.COM.", exempt: false, allowSubdomains: false));
    }

    [Fact]
    public void With_the_exemption_every_parent_of_two_labels_or_more_is_asked()
    {
        Assert.Equal(["a.b.example.com", "b.example.com", "example.com"], SenderAuthority.Candidates("a.b.example.com", exempt: true, allowSubdomains: false));
        Assert.Equal(["example.com"], SenderAuthority.Candidates("example.com", exempt: false, allowSubdomains: true));
        Assert.Equal(["localhost"], SenderAuthority.Candidates("localhost", exempt: true, allowSubdomains: true));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task Another_tenants_claim_refuses_whatever_the_settings(bool exempt, bool allowSubdomains)
    {
        Assert.False(await Decide("example.com", exempt, allowSubdomains, ("example.com", new DomainHolder(Other, true))));
        Assert.False(await Decide("example.com", exempt, allowSubdomains, ("example.com", new DomainHolder(Other, false))));
    }

    [Fact]
    public async Task The_exemption_does_not_reach_a_subdomain_of_another_tenants_domain()
    {
        Assert.False(await Decide("news.example.com", exempt: true, allowSubdomains: false, ("example.com", new DomainHolder(Other, true))));
        // Its own unverified claim on the subdomain proves nothing against the parent's holder.
        Assert.False(await Decide("news.example.com", exempt: true, allowSubdomains: false,
            ("news.example.com", new DomainHolder(Me, false)), ("example.com", new DomainHolder(Other, true))));
    }

    [Fact]
    public async Task The_exemption_covers_domains_nobody_holds_and_the_tenants_own()
    {
        Assert.True(await Decide("anything.example", exempt: true, allowSubdomains: false));
        Assert.True(await Decide("anything.example", exempt: true, allowSubdomains: false, ("anything.example", new DomainHolder(Me, false))));
        Assert.False(await Decide("anything.example", exempt: false, allowSubdomains: false));
    }

    [Fact]
    public async Task A_verified_domain_of_its_own_allows_and_its_parent_only_with_subdomains()
    {
        Assert.True(await Decide("example.com", exempt: false, allowSubdomains: false, ("example.com", new DomainHolder(Me, true))));
        Assert.False(await Decide("example.com", exempt: false, allowSubdomains: false, ("example.com", new DomainHolder(Me, false))));
        Assert.False(await Decide("news.example.com", exempt: false, allowSubdomains: false, ("example.com", new DomainHolder(Me, true))));
        Assert.True(await Decide("news.example.com", exempt: false, allowSubdomains: true, ("example.com", new DomainHolder(Me, true))));
    }

    [Fact]
    public async Task The_subdomain_setting_does_not_reach_a_subdomain_another_tenant_verified()
    {
        Assert.False(await Decide("news.example.com", exempt: false, allowSubdomains: true,
            ("news.example.com", new DomainHolder(Other, true)), ("example.com", new DomainHolder(Me, true))));
    }

    [Fact]
    public async Task A_subdomain_the_tenant_verified_itself_is_its_own_even_under_another_tenants_parent()
    {
        Assert.True(await Decide("news.example.com", exempt: false, allowSubdomains: false,
            ("news.example.com", new DomainHolder(Me, true)), ("example.com", new DomainHolder(Other, true))));
    }

    static Task<bool> Decide(string domain, bool exempt, bool allowSubdomains, params (string Name, DomainHolder Holder)[] claims) =>
        SenderAuthority.AllowsAsync(Me, domain, exempt, allowSubdomains,
            name => Task.FromResult<DomainHolder?>(claims.FirstOrDefault(c => c.Name == name).Holder));
}
