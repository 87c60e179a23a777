using Sendarix.Core.Domains;

namespace Sendarix.Tests.Unit;

public sealed class DomainRecordsTests
{
    const string Key = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAq1";

    [Fact]
    public void Names_and_suggested_values_follow_the_rfcs()
    {
        Assert.Equal("sx1._domainkey.example.com", DomainRecords.DkimName("sx1", "example.com"));
        Assert.Equal("_dmarc.example.com", DomainRecords.DmarcName("example.com"));
        Assert.Equal($"v=DKIM1; k=rsa; p={Key}", DomainRecords.DkimValue(Key));
        Assert.Equal("v=spf1 include:_spf.relay.test ~all", DomainRecords.SpfValue("_spf.relay.test"));
        Assert.Null(DomainRecords.SpfValue(null));
        Assert.Equal("v=DMARC1; p=none; rua=mailto:postmaster@example.com", DomainRecords.DmarcValue("example.com"));
    }

    [Theory]
    [InlineData(new string[0], RecordStatus.Missing)]
    [InlineData(new[] { "some unrelated text" }, RecordStatus.Missing)]
    [InlineData(new[] { "v=DKIM1; k=rsa; p=" + Key }, RecordStatus.Found)]
    [InlineData(new[] { "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0B AQEFAAOCAQ8AMIIBCgKCAQEAq1" }, RecordStatus.Found)]
    [InlineData(new[] { "k=rsa; p=" + Key }, RecordStatus.Found)]
    [InlineData(new[] { "v=DKIM1; k=rsa; p=AAAA" }, RecordStatus.Wrong)]
    [InlineData(new[] { "v=DKIM1; k=rsa; p=" }, RecordStatus.Wrong)]
    [InlineData(new[] { "v=DKIM2; p=" + Key }, RecordStatus.Missing)]
    public void Dkim_is_found_only_with_the_exact_public_key(string[] txt, RecordStatus expected) =>
        Assert.Equal(expected, DomainRecords.CheckDkim(txt, Key));

    [Theory]
    [InlineData(new string[0], "_spf.relay.test", RecordStatus.Missing)]
    [InlineData(new[] { "v=spf1 include:_spf.relay.test ~all" }, "_spf.relay.test", RecordStatus.Found)]
    [InlineData(new[] { "v=spf1 mx +include:_SPF.relay.test -all" }, "_spf.relay.test", RecordStatus.Found)]
    [InlineData(new[] { "v=spf1 mx -all" }, "_spf.relay.test", RecordStatus.Wrong)]
    [InlineData(new[] { "v=spf1 include:_spf.relay.test.evil ~all" }, "_spf.relay.test", RecordStatus.Wrong)]
    [InlineData(new[] { "v=spf1 include:_spf.relay.test ~all", "v=spf1 -all" }, "_spf.relay.test", RecordStatus.Wrong)]
    [InlineData(new[] { "v=spf1 -all" }, null, RecordStatus.Found)]
    [InlineData(new[] { "v=spf10 -all", "google-site-verification=x" }, null, RecordStatus.Missing)]
    public void Spf_must_be_single_and_include_the_relay(string[] txt, string? include, RecordStatus expected) =>
        Assert.Equal(expected, DomainRecords.CheckSpf(txt, include));

    [Theory]
    [InlineData(new string[0], RecordStatus.Missing)]
    [InlineData(new[] { "v=DMARC1; p=none; rua=mailto:a@b.test" }, RecordStatus.Found)]
    [InlineData(new[] { "v=DMARC1;p=reject" }, RecordStatus.Found)]
    [InlineData(new[] { "v=DMARC1; rua=mailto:a@b.test" }, RecordStatus.Wrong)]
    [InlineData(new[] { "v=DMARC1; p=maybe" }, RecordStatus.Wrong)]
    [InlineData(new[] { "v=DMARC1; p=none", "v=DMARC1; p=reject" }, RecordStatus.Wrong)]
    public void Dmarc_needs_one_record_with_a_policy(string[] txt, RecordStatus expected) =>
        Assert.Equal(expected, DomainRecords.CheckDmarc(txt));

    [Fact]
    public void Tag_lists_are_split_on_semicolons_with_whitespace_removed_from_values()
    {
        var tags = TagList.Parse(" v=DKIM1 ;k = rsa; p=AB CD\tEF ;; junk ; t=y; t=s");
        Assert.Equal("DKIM1", tags["v"]);
        Assert.Equal("rsa", tags["k"]);
        Assert.Equal("ABCDEF", tags["p"]);
        Assert.Equal("y", tags["t"]);
        Assert.False(tags.ContainsKey("junk"));
    }
}
