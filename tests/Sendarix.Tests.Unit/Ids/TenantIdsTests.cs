using System.Text.RegularExpressions;
using Sendarix.Core.Ids;

namespace Sendarix.Tests.Unit;

public sealed partial class TenantIdsTests
{
    [Fact]
    public void A_new_id_is_t_and_12_lower_case_base32_characters()
    {
        var id = TenantIds.New();

        Assert.Matches(Format(), id);
        Assert.True(TenantIds.IsValid(id));
    }

    [Fact]
    public void New_ids_are_distinct()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => TenantIds.New()).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("t0123456789ab")]
    [InlineData("0123456789")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789abcd")]
    public void Accepts_lower_case_letters_and_digits(string id)
    {
        Assert.True(TenantIds.IsValid(id));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("t")]
    [InlineData("T0123456789AB")]
    [InlineData("t0123456789aB")]
    [InlineData("t0123-456789ab")]
    [InlineData("t0123_456789ab")]
    [InlineData("t0123 456789ab")]
    [InlineData("t0123456789ab/")]
    [InlineData("t0123456789aé")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789abcde")]
    public void Rejects_anything_else(string? id)
    {
        Assert.False(TenantIds.IsValid(id));
    }

    [GeneratedRegex("^t[0-9abcdefghjkmnpqrstvwxyz]{12}$")]
    private static partial Regex Format();
}
