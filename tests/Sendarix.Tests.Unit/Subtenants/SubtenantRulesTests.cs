using Sendarix.Core.Subtenants;

namespace Sendarix.Tests.Unit.Subtenants;

public sealed class SubtenantRulesTests
{
    [Theory]
    [InlineData("customer42", "customer42")]
    [InlineData(" Customer-42.eu_1 ", "customer-42.eu_1")]
    [InlineData("9", "9")]
    public void Ids_are_kept_in_lower_case(string value, string id)
    {
        Assert.True(SubtenantRules.TryNormalize(value, out var normalized, out _));
        Assert.Equal(id, normalized);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("-lead", "must start with a letter or digit")]
    [InlineData("a b", "may hold only")]
    [InlineData("kunde-ü", "may hold only")]
    [InlineData("a/../b", "may hold only")]
    public void A_malformed_id_says_what_is_wrong(string value, string problem)
    {
        Assert.False(SubtenantRules.TryNormalize(value, out _, out var said));
        Assert.StartsWith(problem, said);
    }

    [Fact]
    public void An_id_longer_than_64_characters_is_refused()
    {
        Assert.True(SubtenantRules.TryNormalize(new string('a', 64), out _, out _));
        Assert.False(SubtenantRules.TryNormalize(new string('a', 65), out _, out var problem));
        Assert.Equal("is longer than 64 characters", problem);
    }

    [Theory]
    [InlineData("sx49rf8911q06ver3c", "sx49rf8911q06ver3c", null)]
    [InlineData("sx49rf8911q06ver3c+customer42", "sx49rf8911q06ver3c", "customer42")]
    [InlineData("sx49+a+b", "sx49+a", "b")]
    [InlineData("sx49+", "sx49", "")]
    public void A_login_splits_at_its_last_plus(string login, string username, string? subaddress)
    {
        Assert.Equal((username, subaddress), SubtenantRules.SplitLogin(login));
    }

    [Fact]
    public void Nothing_named_is_the_tenant_itself_and_agreeing_names_are_one_sub_tenant()
    {
        Assert.Equal(new SubtenantChoice(null, null), SubtenantRules.Choose(null, null, []));
        Assert.Equal("acme", SubtenantRules.Choose("acme", "ACME", ["acme", " Acme "]).Subtenant);
        Assert.Equal("acme", SubtenantRules.Choose(null, null, ["Acme"]).Subtenant);
    }

    [Theory]
    [InlineData("acme", "globex", new string[0], "5.7.1 The login's subaddress names sub-tenant globex, but the credential names acme")]
    [InlineData(null, "acme", new[] { "globex" }, "5.7.1 X-Sendarix-Subtenant names sub-tenant globex, but the login's subaddress names acme")]
    [InlineData(null, null, new[] { "acme", "globex" }, "5.7.1 X-Sendarix-Subtenant names sub-tenant globex, but X-Sendarix-Subtenant names acme")]
    [InlineData(null, "bad id", new string[0], "5.7.1 The sub-tenant id in the login's subaddress may hold only letters, digits, '.', '_' and '-'")]
    [InlineData("acme", null, new[] { "" }, "5.7.1 The sub-tenant id in X-Sendarix-Subtenant is empty")]
    public void Names_that_disagree_or_are_malformed_are_refused_saying_which(string? credential, string? subaddress, string[] header, string refusal)
    {
        var choice = SubtenantRules.Choose(credential, subaddress, header);
        Assert.Null(choice.Subtenant);
        Assert.Equal(refusal, choice.Refusal);
    }
}
