using System.Text.RegularExpressions;
using Sendarix.Core.Ids;

namespace Sendarix.Tests.Unit;

public sealed partial class MessageIdTests
{
    const string Tenant = "t0123456789ab";

    [Fact]
    public void A_new_id_is_the_tenant_a_dash_and_21_lower_case_base32_characters()
    {
        var id = MessageId.New(Tenant, DateTimeOffset.UnixEpoch.AddYears(55));

        Assert.Equal(Tenant, id.TenantId);
        Assert.Matches(Local(), id.Local);
        Assert.Equal($"{Tenant}-{id.Local}", id.ToString());
    }

    [Fact]
    public void Ids_made_at_the_same_time_differ()
    {
        var now = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

        var ids = Enumerable.Range(0, 1000).Select(_ => MessageId.New(Tenant, now).Local).ToList();

        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void A_newer_id_sorts_before_an_older_one()
    {
        var random = new Random(7);
        var start = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var end = new DateTimeOffset(2120, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

        for (var i = 0; i < 2000; i++)
        {
            var older = DateTimeOffset.FromUnixTimeMilliseconds(random.NextInt64(start, end));
            AssertNewerSortsFirst(older, older.AddMilliseconds(1));
        }
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(31L)]
    [InlineData(32L)]
    [InlineData(1023L)]
    [InlineData(1_740_830_400_000L)]
    [InlineData(1_740_830_400_255L)]
    [InlineData(1_740_830_400_511L)]
    public void A_newer_id_sorts_before_an_older_one_across_carries(long olderMilliseconds)
    {
        var older = DateTimeOffset.FromUnixTimeMilliseconds(olderMilliseconds);

        AssertNewerSortsFirst(older, older.AddMilliseconds(1));
        AssertNewerSortsFirst(older, older.AddSeconds(1));
        AssertNewerSortsFirst(older, older.AddDays(1));
    }

    [Fact]
    public void Parse_round_trips()
    {
        var id = MessageId.New(Tenant, DateTimeOffset.UnixEpoch.AddYears(55));

        Assert.True(MessageId.TryParse(id.ToString(), out var parsed));
        Assert.Equal(id, parsed);
    }

    [Theory]
    [InlineData("ab-x", "ab", "x")]
    [InlineData("t0123456789ab-0123456789abcdefghjkmnpqr", "t0123456789ab", "0123456789abcdefghjkmnpqr")]
    public void Parses_the_tenant_and_the_local_part(string text, string tenant, string local)
    {
        Assert.True(MessageId.TryParse(text, out var id));
        Assert.Equal(new MessageId(tenant, local), id);
    }

    [Fact]
    public void The_local_part_may_have_40_characters_but_not_41()
    {
        Assert.True(MessageId.TryParse($"{Tenant}-{new string('a', 40)}", out _));
        Assert.False(MessageId.TryParse($"{Tenant}-{new string('a', 41)}", out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("-")]
    [InlineData("t0123456789ab")]
    [InlineData("t0123456789ab-")]
    [InlineData("-0123456789abc")]
    [InlineData("t-0123456789abc")]
    [InlineData("T0123456789AB-0123456789abc")]
    [InlineData("t0123_456789ab-0123456789abc")]
    [InlineData("t0123456789ab-0123-456789abc")]
    [InlineData("t0123456789ab--0123456789abc")]
    [InlineData("t0123456789ab-0123 456789abc")]
    [InlineData("t0123456789ab-0123456789abc ")]
    [InlineData("t0123456789ab-0123456789abc\r\n")]
    [InlineData("t0123456789ab-0123456789abé")]
    [InlineData("t0123456789ab-../../etc")]
    public void Rejects_malformed_ids(string? text)
    {
        Assert.False(MessageId.TryParse(text, out _));
    }

    [Fact]
    public void Rejects_a_tenant_id_longer_than_40_characters()
    {
        Assert.False(MessageId.TryParse($"{new string('t', 41)}-abc", out _));
        Assert.True(MessageId.TryParse($"{new string('t', 40)}-abc", out _));
    }

    [Fact]
    public void Messages_accepted_in_a_time_range_have_ids_in_its_key_range_and_no_others_do()
    {
        var oldest = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        var newest = oldest.AddHours(1);
        var (first, last) = MessageId.LocalRange(newest, oldest);
        bool Within(DateTimeOffset t)
        {
            var local = MessageId.New(Tenant, t).Local;
            return string.CompareOrdinal(local, first) >= 0 && string.CompareOrdinal(local, last) <= 0;
        }

        Assert.All(new[] { oldest, oldest.AddMinutes(30), newest, newest.AddTicks(9_999) }, t => Assert.True(Within(t), $"{t:O}"));
        Assert.All(new[] { oldest.AddMilliseconds(-1), newest.AddMilliseconds(1) }, t => Assert.False(Within(t), $"{t:O}"));
    }

    static void AssertNewerSortsFirst(DateTimeOffset older, DateTimeOffset newer)
    {
        var olderId = MessageId.New(Tenant, older);
        var newerId = MessageId.New(Tenant, newer);

        Assert.True(
            string.CompareOrdinal(newerId.Local, olderId.Local) < 0,
            $"{newerId.Local} ({newer:O}) should sort before {olderId.Local} ({older:O})");
        Assert.True(string.CompareOrdinal(newerId.ToString(), olderId.ToString()) < 0);
    }

    [GeneratedRegex("^[0-9abcdefghjkmnpqrstvwxyz]{21}$")]
    private static partial Regex Local();
}
