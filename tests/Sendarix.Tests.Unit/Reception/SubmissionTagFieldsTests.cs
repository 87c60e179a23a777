using System.Text;
using Sendarix.Core.Smtp;
using Sendarix.Core.Tags;
using Sendarix.Reception.Session;

namespace Sendarix.Tests.Unit;

/// <summary>The front-end reads the tag fields from the header block it parses anyway, decoded, and removes the same fields.</summary>
public sealed class SubmissionTagFieldsTests
{
    [Theory]
    [InlineData("X-Sendarix-Tag: =?utf-8?B?R3LDvMOfZQ==?=", "Grüße")]
    [InlineData("X-PM-Tag: =?iso-8859-1?q?caf=E9?= au lait", "café au lait")]
    [InlineData("X-Sendarix-Tag: =?utf-8?q?two?= =?utf-8?q?_words?=", "two words")]
    [InlineData("X-Sendarix-Tag: Grüße ✓", "Grüße ✓")]
    [InlineData("X-Sendarix-Tag: folded\r\n onto two lines", "folded onto two lines")]
    [InlineData("X-Sendarix-Tag:   blanks around   ", "blanks around")]
    public async Task Tags_arrive_decoded_and_unfolded(string field, string tag)
    {
        Assert.Equal([tag], (await ParseAsync(field)).Tags);
    }

    [Fact]
    public async Task Metadata_keys_keep_the_case_of_the_field_name_and_values_are_decoded()
    {
        var tags = await ParseAsync("x-pm-metadata-OrderId: =?utf-8?b?4oKsNDI=?=", "X-SENDARIX-METADATA-plan: pro\r\n\tplus");

        Assert.Equal("€42", tags.Metadata["OrderId"]);
        Assert.Equal("pro\tplus", tags.Metadata["plan"]);
    }

    [Fact]
    public async Task A_folded_x_smtpapi_is_read_whole()
    {
        var tags = await ParseAsync("X-SMTPAPI: {\"category\": [\"newsletter\",\r\n \"weekly\"], \"unique_args\":\r\n\t{\"id\": \"7\"}}");

        Assert.Equal(["newsletter", "weekly"], tags.Tags);
        Assert.Equal("7", tags.Metadata["id"]);
    }

    [Fact]
    public async Task An_x_smtpapi_sent_as_an_encoded_word_is_read()
    {
        // Python's email package encodes a header value with non-ASCII text this way.
        var json = Convert.ToBase64String("{\"category\": \"Grüße\", \"unique_args\": {\"städt\": \"Köln\"}}"u8.ToArray());

        var tags = await ParseAsync($"X-SMTPAPI: =?utf-8?b?{json}?=");

        Assert.Equal(["Grüße"], tags.Tags);
        Assert.Equal("Köln", tags.Metadata["städt"]);
    }

    [Fact]
    public async Task Ses_tags_folded_over_lines_are_read()
    {
        var tags = await ParseAsync("X-SES-MESSAGE-TAGS: campaign=spring,\r\n source = app");

        Assert.Equal("spring", tags.Metadata["campaign"]);
        Assert.Equal("app", tags.Metadata["source"]);
    }

    [Fact]
    public async Task A_message_without_tag_fields_has_none()
    {
        var headers = await RelayMessageStore.ReadHeadersAsync(Encoding.UTF8.GetBytes("From: a@b.test\r\nX-Sendarix-Taggy: no\r\n\r\nX-Sendarix-Tag: body\r\n"), CancellationToken.None);

        Assert.Empty(headers!.TagFields);
    }

    [Fact]
    public async Task The_fields_read_are_the_fields_removed_whatever_the_header_block()
    {
        string[] pieces =
        [
            "X-Sendarix-Tag: a\r\n", "X-Sendarix-Tag : b\r\n", "X-Sendarix-Tag\t:c\r\n", "x-pm-tag: d\r\n folded\r\n", " \r\n", "garbage\r\n",
            "X Sendarix-Tag: e\r\n", ":x\r\n", "X-Sendarix-Tag\r\n", "From x@y\r\n", "X-Sendarix-Metadata-: v\r\n", "X-PM-Metadata-k\r\n",
            "X-SMTPAPI: {}\r\n", "Subject: é\0\r\n", "X-Séndarix-Tag: f\r\n", "X-Sendarix-Tag:\r\n", "\tcontinued\r\n",
            "X-SES-MESSAGE-TAGS: a=b\r\n", ">From: q\r\n", "X-Sendarix-Tag;: h\r\n", "X-Sendarix-Tag\u0001: i\r\n", "X-Sendarix-Tag \t : j\r\n",
            "X-Sendarix-Tag:\t\r\n\t\r\n", "\0X-Sendarix-Tag: n\r\n", "X-Sendarix-Tag\u00a0: o\r\n", "X-Sendarix-Taggy: p\r\n", "Received: from x\r\n",
        ];
        var random = new Random(20261201);
        for (var i = 0; i < 3_000; i++)
        {
            var text = new StringBuilder("Subject: first\r\n");
            for (var n = random.Next(0, 10); n > 0; n--)
            {
                text.Append(pieces[random.Next(pieces.Length)]);
            }

            text.Append("From: a@b.test\r\n").Append(random.Next(2) == 0 ? "" : "\r\nX-Sendarix-Tag: body\r\n");
            var message = Encoding.UTF8.GetBytes(text.ToString());

            var read = await RelayMessageStore.ReadHeadersAsync(message, CancellationToken.None);
            var (length, removed) = HeaderBlock.RemoveFields(message, SubmissionTags.IsTagField);
            var after = await RelayMessageStore.ReadHeadersAsync(message.AsMemory(0, length), CancellationToken.None);

            Assert.True(read is not null && after is not null, text.ToString());
            Assert.True(read.TagFields.Count == removed, text.ToString());
            Assert.Empty(after.TagFields);
        }
    }

    static async Task<MessageTags> ParseAsync(params string[] fields)
    {
        var message = Encoding.UTF8.GetBytes($"From: a@b.test\r\n{string.Join("\r\n", fields)}\r\nSubject: s\r\n\r\nbody\r\n");
        var headers = await RelayMessageStore.ReadHeadersAsync(message, CancellationToken.None);
        Assert.NotNull(headers);
        Assert.True(SubmissionTags.TryParse(headers.TagFields, out var tags, out var refusal), refusal?.Message);
        return tags;
    }
}
