using Sendarix.Core.Tags;

namespace Sendarix.Tests.Unit;

public sealed class SubmissionTagsTests
{
    [Fact]
    public void The_relays_own_fields_give_tags_and_metadata_with_keys_as_written()
    {
        var tags = Parse(("X-Sendarix-Tag", "welcome"), ("X-Sendarix-Tag", "onboarding"), ("X-Sendarix-Metadata-OrderId", "42"), ("X-Sendarix-Metadata-plan", "pro"));

        Assert.Equal(["welcome", "onboarding"], tags.Tags);
        Assert.Equal([("OrderId", "42"), ("plan", "pro")], Pairs(tags));
    }

    [Fact]
    public void Postmarks_fields_give_tags_and_metadata()
    {
        var tags = Parse(("X-PM-Tag", "receipt"), ("X-PM-Metadata-Client-Id", "c-1"), ("X-PM-Metadata-color", "blue"));

        Assert.Equal(["receipt"], tags.Tags);
        Assert.Equal([("Client-Id", "c-1"), ("color", "blue")], Pairs(tags));
    }

    [Fact]
    public void SendGrids_x_smtpapi_gives_categories_as_tags_and_unique_and_custom_args_as_metadata()
    {
        var tags = Parse(("X-SMTPAPI", """
            {"to": ["x@y.test"], "category": ["newsletter", "weekly"], "unique_args": {"userId": "7", "batch": "b"},
             "filters": {"clicktrack": {"settings": {"enable": 1}}}, "custom_args": {"Campaign": "spring"}, "send_at": 1}
            """));

        Assert.Equal(["newsletter", "weekly"], tags.Tags);
        Assert.Equal([("userId", "7"), ("batch", "b"), ("Campaign", "spring")], Pairs(tags));
    }

    [Theory]
    [InlineData("""{"category": "single"}""", "single")]
    [InlineData("""{"category": null, "unique_args": null, "custom_args": null}""", null)]
    [InlineData("""{"category": []}""", null)]
    [InlineData("""{"Category": "member names are case-sensitive"}""", null)]
    [InlineData("""{}""", null)]
    public void X_smtpapi_category_is_a_string_or_absent(string json, string? tag)
    {
        Assert.Equal(tag is null ? [] : new[] { tag }, Parse(("X-SMTPAPI", json)).Tags);
    }

    [Fact]
    public void Ses_message_tags_give_metadata_whatever_the_blanks_around_the_separators()
    {
        var tags = Parse(("X-SES-MESSAGE-TAGS", "  campaign = spring ,source=app,,  empty=  , url=https://x.test/?a=b  ,"));

        Assert.Empty(tags.Tags);
        Assert.Equal([("campaign", "spring"), ("source", "app"), ("empty", ""), ("url", "https://x.test/?a=b")], Pairs(tags));
    }

    [Fact]
    public void Field_names_are_case_insensitive_and_other_fields_are_skipped()
    {
        var tags = Parse(("x-sendarix-tag", "a"), ("X-PM-TAG", "b"), ("x-smtpapi", """{"category":"c"}"""), ("x-ses-message-tags", "k=v"),
            ("X-SENDARIX-METADATA-Key", "1"), ("x-pm-metadata-Other", "2"), ("Subject", "s"), ("X-Sendarix-Taggy", "no"), ("X-Sendarix-Metadata", "no key"));

        Assert.Equal(["a", "b", "c"], tags.Tags);
        Assert.Equal([("k", "v"), ("Key", "1"), ("Other", "2")], Pairs(tags));
    }

    [Fact]
    public void The_same_tag_from_any_style_is_kept_once_where_it_first_appeared()
    {
        var tags = Parse(("X-Sendarix-Tag", "welcome"), ("X-PM-Tag", "receipt"), ("X-PM-Tag", "welcome"), ("X-SMTPAPI", """{"category":["receipt","welcome","new"]}"""),
            ("X-Sendarix-Tag", " welcome "));

        Assert.Equal(["welcome", "receipt", "new"], tags.Tags);
    }

    [Fact]
    public void Tags_are_compared_exactly()
    {
        Assert.Equal(["Welcome", "welcome"], Parse(("X-Sendarix-Tag", "Welcome"), ("X-PM-Tag", "welcome")).Tags);
    }

    [Fact]
    public void A_repeated_metadata_key_keeps_its_first_place_and_its_last_value()
    {
        var tags = Parse(("X-Sendarix-Metadata-plan", "free"), ("X-PM-Metadata-seat", "1"), ("X-SMTPAPI", """{"unique_args":{"plan":"pro"},"custom_args":{"plan":"team"}}"""),
            ("X-SES-MESSAGE-TAGS", "seat=2"), ("X-Sendarix-Metadata-Plan", "other key"));

        Assert.Equal([("plan", "team"), ("seat", "2"), ("Plan", "other key")], Pairs(tags));
    }

    [Fact]
    public void A_repeated_member_inside_one_x_smtpapi_object_is_last_wins_too()
    {
        Assert.Equal([("a", "2")], Pairs(Parse(("X-SMTPAPI", """{"unique_args":{"a":"1","a":"2"}}"""))));
    }

    [Fact]
    public void Tags_and_keys_lose_surrounding_blanks_and_empty_tags_are_ignored()
    {
        var tags = Parse(("X-Sendarix-Tag", "  spaced  "), ("X-Sendarix-Tag", ""), ("X-PM-Tag", "   "), ("X-SMTPAPI", """{"category":["", " a b "],"unique_args":{" k ":" v "}}"""));

        Assert.Equal(["spaced", "a b"], tags.Tags);
        Assert.Equal([("k", " v ")], Pairs(tags));
    }

    [Fact]
    public void No_fields_give_nothing()
    {
        Assert.Same(MessageTags.None, Parse());
        Assert.Same(MessageTags.None, Parse(("Subject", "s"), ("X-SMTPAPI", """{"to":["a@b.test"]}""")));
    }

    [Fact]
    public void Ten_tags_are_taken_and_an_eleventh_is_refused()
    {
        var ten = Enumerable.Range(0, SubmissionTags.MaxTags).Select(i => ("X-Sendarix-Tag", $"t{i}")).ToArray();

        Assert.Equal(10, Parse(ten).Tags.Count);
        Assert.Equal(10, Parse([.. ten, ("X-PM-Tag", "t3"), ("X-SMTPAPI", """{"category":"t9"}""")]).Tags.Count);
        var refusal = Refuse([.. ten, ("X-SMTPAPI", """{"category":["t0","t10"]}""")]);
        Assert.Equal(TagLimit.TooManyTags, refusal.Limit);
        Assert.Contains("at most 10", refusal.Message);
    }

    [Fact]
    public void Fifty_metadata_keys_are_taken_and_a_fifty_first_is_refused()
    {
        var fifty = Enumerable.Range(0, SubmissionTags.MaxMetadataKeys).Select(i => ($"X-Sendarix-Metadata-k{i}", "v")).ToArray();

        Assert.Equal(50, Parse(fifty).Metadata.Count);
        Assert.Equal(50, Parse([.. fifty, ("X-PM-Metadata-k7", "again")]).Metadata.Count);
        var refusal = Refuse([.. fifty, ("X-SES-MESSAGE-TAGS", "k0=x, k50=y")]);
        Assert.Equal(TagLimit.TooManyMetadataKeys, refusal.Limit);
        Assert.Contains("at most 50", refusal.Message);
    }

    [Fact]
    public void Ten_kilobytes_in_all_are_taken_and_one_byte_more_is_refused()
    {
        // The tag (2 bytes) and the key (3) leave the rest to the value, which ends in a two-byte character.
        string Value(int bytes) => new string('v', bytes - 2) + "é";

        Assert.Equal(10_240, SubmissionTags.MaxTotalBytes);
        Assert.Single(Parse(("X-Sendarix-Tag", "ab"), ("X-Sendarix-Metadata-key", Value(SubmissionTags.MaxTotalBytes - 5))).Metadata);
        var refusal = Refuse(("X-Sendarix-Tag", "ab"), ("X-Sendarix-Metadata-key", Value(SubmissionTags.MaxTotalBytes - 4)));
        Assert.Equal(TagLimit.TooLarge, refusal.Limit);
        Assert.Contains("10240 bytes", refusal.Message);
    }

    [Fact]
    public void The_size_counts_the_values_kept_not_the_ones_replaced()
    {
        var big = new string('x', SubmissionTags.MaxTotalBytes);

        Assert.Equal("small", Parse(("X-Sendarix-Metadata-k", big), ("X-PM-Metadata-k", "small")).Metadata["k"]);
        Assert.Equal(TagLimit.TooLarge, Refuse(("X-Sendarix-Metadata-k", "small"), ("X-PM-Metadata-k", big)).Limit);
    }

    [Theory]
    [InlineData(255, 1, true)]
    [InlineData(256, 1, false)]
    [InlineData(85, 3, true)]
    [InlineData(86, 3, false)]
    public void A_tag_is_at_most_255_bytes_of_utf8(int count, int bytesEach, bool taken)
    {
        var tag = new string(bytesEach == 1 ? 'a' : '€', count);

        if (taken)
        {
            Assert.Equal([tag], Parse(("X-PM-Tag", tag)).Tags);
        }
        else
        {
            Assert.Equal(TagLimit.TagTooLong, Refuse(("X-PM-Tag", tag)).Limit);
        }
    }

    [Fact]
    public void A_key_is_at_most_128_bytes_of_utf8()
    {
        var key = new string('k', SubmissionTags.MaxKeyBytes);

        Assert.Equal("v", Parse(($"X-Sendarix-Metadata-{key}", "v")).Metadata[key]);
        Assert.Equal(TagLimit.KeyTooLong, Refuse(($"X-Sendarix-Metadata-{key}k", "v")).Limit);
        Assert.Equal(TagLimit.KeyTooLong, Refuse(("X-SMTPAPI", "{\"unique_args\":{\"" + new string('ü', 65) + "\":\"v\"}}")).Limit);
    }

    [Theory]
    [InlineData("X-Sendarix-Metadata-", "v")]
    [InlineData("X-PM-Metadata-", "v")]
    [InlineData("X-SES-MESSAGE-TAGS", "a=1, =2")]
    [InlineData("X-SMTPAPI", """{"unique_args":{"":"v"}}""")]
    [InlineData("X-SMTPAPI", """{"custom_args":{"  ":"v"}}""")]
    public void An_empty_key_is_refused(string name, string value)
    {
        Assert.Equal(TagLimit.EmptyKey, Refuse((name, value)).Limit);
    }

    [Theory]
    [InlineData("X-Sendarix-Tag", "a\u0001b")]
    [InlineData("X-Sendarix-Tag", "a\tb")]
    [InlineData("X-PM-Tag", "a\u007fb")]
    [InlineData("X-PM-Tag", "a\u0085b")]
    [InlineData("X-SMTPAPI", """{"category":"line\nbreak"}""")]
    [InlineData("X-SMTPAPI", """{"unique_args":{"k\u0000":"v"}}""")]
    [InlineData("X-SMTPAPI", """{"unique_args":{"k":"line\r\nbreak"}}""")]
    [InlineData("X-Sendarix-Metadata-k", "nul\u0000")]
    public void Control_characters_and_broken_text_are_refused(string name, string value)
    {
        Assert.Equal(TagLimit.InvalidCharacter, Refuse((name, value)).Limit);
    }

    [Fact]
    public void Lone_surrogates_are_refused()
    {
        // Not in InlineData: attribute strings are stored as UTF-8, which has no lone surrogates.
        Assert.Equal(TagLimit.InvalidCharacter, Refuse(("X-PM-Tag", "a\ud800b")).Limit);
        Assert.Equal(TagLimit.InvalidCharacter, Refuse(("X-Sendarix-Metadata-k", "lone \udc00 surrogate")).Limit);
        Assert.Equal(TagLimit.InvalidCharacter, Refuse(("X-SES-MESSAGE-TAGS", "k\ud800=v")).Limit);
    }

    [Fact]
    public void A_value_keeps_the_tab_its_folding_left()
    {
        Assert.Equal("one\ttwo", Parse(("X-Sendarix-Metadata-k", "one\ttwo")).Metadata["k"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("""{"category": "unterminated""")]
    [InlineData("""["category", "a"]""")]
    [InlineData("\"a string\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("""{"category": 5}""")]
    [InlineData("""{"category": ["a", 5]}""")]
    [InlineData("""{"category": {"a": "b"}}""")]
    [InlineData("""{"unique_args": ["a"]}""")]
    [InlineData("""{"unique_args": {"id": 7}}""")]
    [InlineData("""{"custom_args": {"a": "b", "nested": {"c": "d"}}}""")]
    [InlineData("""{"custom_args": "a=b"}""")]
    [InlineData("""{"category": "\ud800"}""")]
    [InlineData("""{"unique_args": {"\udc00": "v"}}""")]
    public void A_malformed_x_smtpapi_is_refused(string json)
    {
        var refusal = Refuse(("X-SMTPAPI", json));

        Assert.Equal(TagLimit.MalformedSmtpApi, refusal.Limit);
        Assert.StartsWith("X-SMTPAPI ", refusal.Message);
    }

    [Theory]
    [InlineData("campaign")]
    [InlineData("a=1, b")]
    public void Ses_tags_that_are_not_pairs_are_refused(string value)
    {
        Assert.Equal(TagLimit.MalformedSesTags, Refuse(("X-SES-MESSAGE-TAGS", value)).Limit);
    }

    [Theory]
    [InlineData("X-Sendarix-Tag", "Grüße\u0001")]
    [InlineData("X-SMTPAPI", """{"unique_args":{"Schlüssel":"\u0007"}}""")]
    [InlineData("X-SMTPAPI", "{\"category\": \"ünterminated")]
    [InlineData("X-SES-MESSAGE-TAGS", "Grüße")]
    public void Refusals_are_ascii_and_never_repeat_the_clients_text(string name, string value)
    {
        var refusal = Refuse((name, value));

        Assert.True(refusal.Message.All(c => c is >= ' ' and <= '~'), refusal.Message);
        Assert.DoesNotContain("Gr", refusal.Message);
        Assert.DoesNotContain("Schl", refusal.Message);
    }

    static IEnumerable<(string, string)> Pairs(MessageTags tags) => tags.Metadata.Select(m => (m.Key, m.Value));

    static MessageTags Parse(params (string Name, string Value)[] fields)
    {
        Assert.True(SubmissionTags.TryParse(fields, out var tags, out var refusal), refusal?.Message);
        return tags;
    }

    static TagRefusal Refuse(params (string Name, string Value)[] fields)
    {
        Assert.False(SubmissionTags.TryParse(fields, out var tags, out var refusal));
        Assert.Same(MessageTags.None, tags);
        Assert.True(refusal.Message.All(c => c is >= ' ' and <= '~'), refusal.Message);
        return refusal;
    }
}
