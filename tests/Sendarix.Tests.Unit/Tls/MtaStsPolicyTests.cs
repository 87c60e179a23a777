using Sendarix.Core.Tls;

namespace Sendarix.Tests.Unit.Tls;

public sealed class MtaStsPolicyTests
{
    [Theory]
    [InlineData("v=STSv1; id=20261127T010101;", "20261127T010101")]
    [InlineData("v=STSv1;id=abc", "abc")]
    [InlineData("v=spf1 include:x", null)]
    [InlineData("id=abc; v=STSv1", null)]
    [InlineData("v=STSv1;", null)]
    public void The_txt_record_gives_the_policy_id(string txt, string? id) => Assert.Equal(id, MtaStsPolicy.RecordId(txt));

    [Fact]
    public void A_policy_file_parses_with_its_mode_patterns_and_age()
    {
        Assert.True(MtaStsPolicy.TryParse("version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmx: *.example.net.\r\nmax_age: 86400\r\n", out var policy, out _));
        Assert.Equal(MtaStsPolicy.Enforce, policy.Mode);
        Assert.Equal(TimeSpan.FromDays(1), policy.MaxAge);
        Assert.True(policy.Matches("MX1.example.com."));
        Assert.True(policy.Matches("mx7.example.net"));
        Assert.False(policy.Matches("a.b.example.net"));
        Assert.False(policy.Matches("example.net"));
        Assert.False(policy.Matches("mx2.example.com"));
    }

    [Theory]
    [InlineData("version: STSv2\nmode: enforce\nmx: a.example\nmax_age: 1", "version")]
    [InlineData("version: STSv1\nmode: strict\nmx: a.example\nmax_age: 1", "mode")]
    [InlineData("version: STSv1\nmode: enforce\nmax_age: 1", "mx")]
    [InlineData("version: STSv1\nmode: enforce\nmx: a.example", "max_age")]
    public void A_bad_policy_says_what_is_wrong(string text, string field)
    {
        Assert.False(MtaStsPolicy.TryParse(text, out _, out var error));
        Assert.Contains(field, error);
    }

    [Fact]
    public void A_max_age_over_a_year_is_cut_to_a_year()
    {
        Assert.True(MtaStsPolicy.TryParse("version: STSv1\nmode: none\nmax_age: 99999999999", out var policy, out _));
        Assert.Equal(TimeSpan.FromSeconds(31557600), policy.MaxAge);
    }
}
