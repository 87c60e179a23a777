using System.Text;
using Sendarix.Core.Smtp;
using Sendarix.Core.Tags;

namespace Sendarix.Tests.Unit;

public sealed class HeaderBlockTests
{
    [Theory]
    [InlineData("From: a@b.test\r\nX-Sendarix-Tag: t\r\nSubject: s\r\n\r\nbody\r\n", "From: a@b.test\r\nSubject: s\r\n\r\nbody\r\n")]
    [InlineData("X-Sendarix-Tag: first\r\nFrom: a@b.test\r\n\r\nbody\r\n", "From: a@b.test\r\n\r\nbody\r\n")]
    [InlineData("From: a@b.test\r\nX-Sendarix-Tag: last\r\n\r\nbody\r\n", "From: a@b.test\r\n\r\nbody\r\n")]
    [InlineData("X-Sendarix-Tag: only\r\n\r\nbody\r\n", "\r\nbody\r\n")]
    [InlineData("X-Sendarix-Tag: a\r\nX-PM-Tag: b\r\nX-SMTPAPI: {}\r\nFrom: a@b.test\r\n\r\n", "From: a@b.test\r\n\r\n")]
    public void Removes_the_fields_and_nothing_else(string message, string expected)
    {
        Assert.Equal(expected, Remove(message, out _));
    }

    [Fact]
    public void A_folded_field_goes_with_all_its_continuation_lines()
    {
        var message = "From: a@b.test\r\nX-SMTPAPI: {\"category\":\r\n [\"a\",\r\n\t\"b\"]}\r\nSubject: s\r\n  folded subject\r\n\r\nbody\r\n";

        Assert.Equal("From: a@b.test\r\nSubject: s\r\n  folded subject\r\n\r\nbody\r\n", Remove(message, out var removed));
        Assert.Equal(1, removed);
    }

    [Fact]
    public void A_folded_field_last_before_the_empty_line_goes_whole()
    {
        Assert.Equal("From: a@b.test\r\n\r\nbody\r\n", Remove("From: a@b.test\r\nX-PM-Metadata-k: one\r\n two\r\n\r\nbody\r\n", out _));
    }

    [Fact]
    public void A_blank_continuation_line_belongs_to_its_field_and_does_not_end_the_block()
    {
        Assert.Equal("From: a@b.test\r\nSubject: s\r\n\r\nbody\r\n", Remove("From: a@b.test\r\nX-Sendarix-Tag: t\r\n \r\nX-PM-Tag: u\r\nSubject: s\r\n\r\nbody\r\n", out var removed));
        Assert.Equal(2, removed);
    }

    [Theory]
    [InlineData("From: a@b.test\r\nX-Sendarix-Tag: t\r\n", "From: a@b.test\r\n")]
    [InlineData("From: a@b.test\r\nX-Sendarix-Tag: t", "From: a@b.test\r\n")]
    [InlineData("X-Sendarix-Tag: t\r\n folded\r\nFrom: a@b.test", "From: a@b.test")]
    [InlineData("From: a@b.test\r\nX-Sendarix-Tag: t\r\n\r\n", "From: a@b.test\r\n\r\n")]
    public void A_header_block_without_a_body(string message, string expected)
    {
        Assert.Equal(expected, Remove(message, out var removed));
        Assert.Equal(1, removed);
    }

    [Theory]
    [InlineData("x-sendarix-tag: t")]
    [InlineData("X-SENDARIX-TAG: t")]
    [InlineData("x-smtpapi: {}")]
    [InlineData("X-Ses-Message-Tags: a=b")]
    [InlineData("x-pm-metadata-Key: v")]
    [InlineData("X-SENDARIX-METADATA-key: v")]
    [InlineData("X-Sendarix-Tag : blank before the colon")]
    [InlineData("X-Sendarix-Tag\t: tab before the colon")]
    [InlineData("X-Sendarix-Tag:no blank after the colon")]
    public void Names_match_whatever_their_case(string field)
    {
        Assert.Equal("From: a@b.test\r\n\r\nbody\r\n", Remove($"From: a@b.test\r\n{field}\r\n\r\nbody\r\n", out var removed));
        Assert.Equal(1, removed);
    }

    [Theory]
    [InlineData("X-Sendarix-Taggy: t")]
    [InlineData("X-Sendarix-Tags: t")]
    [InlineData("X-Sendarix-Ta: t")]
    [InlineData("X-Sendarix-Metadata: no key")]
    [InlineData("XX-Sendarix-Tag: t")]
    [InlineData("X-PM-Tagline: t")]
    [InlineData("X-SMTPAPI-Extra: {}")]
    [InlineData("Subject: X-Sendarix-Tag: t")]
    [InlineData("X-Sendarix-Tag")]
    [InlineData("X-Sendarix-Tag t")]
    [InlineData("X Sendarix-Tag: t")]
    [InlineData(": X-Sendarix-Tag")]
    [InlineData(" X-Sendarix-Tag: a continuation of From")]
    public void Other_fields_and_lines_stay(string line)
    {
        var message = $"From: a@b.test\r\n{line}\r\n\r\nbody\r\n";

        Assert.Equal(message, Remove(message, out var removed));
        Assert.Equal(0, removed);
    }

    [Fact]
    public void Nothing_after_the_empty_line_is_touched()
    {
        var message = "From: a@b.test\r\nX-Sendarix-Tag: header\r\n\r\nX-Sendarix-Tag: in the body\r\n X-PM-Tag: folded-looking\r\n\r\nX-SMTPAPI: {}\r\n";

        Assert.Equal("From: a@b.test\r\n\r\nX-Sendarix-Tag: in the body\r\n X-PM-Tag: folded-looking\r\n\r\nX-SMTPAPI: {}\r\n", Remove(message, out var removed));
        Assert.Equal(1, removed);
    }

    [Fact]
    public void An_empty_header_block_is_left_alone()
    {
        const string message = "\r\nX-Sendarix-Tag: body\r\n";

        Assert.Equal(message, Remove(message, out var removed));
        Assert.Equal(0, removed);
    }

    [Fact]
    public void Every_other_byte_is_kept_as_it_was()
    {
        byte[] eightBit = [.. "Subject: "u8, 0xc3, 0xa9, 0x00, 0xff, 0x7f, .. "\r\n"u8];
        byte[] body = [.. "\r\n"u8, 0x00, 0xfe, 0x0b, .. "\r\n.\r\n..\r\n"u8];
        byte[] message = [.. "From: a@b.test\r\n"u8, .. "X-Sendarix-Tag: t\r\n"u8, .. eightBit, .. "X-PM-Tag: ✓\r\n"u8, .. body];

        var (length, removed) = HeaderBlock.RemoveFields(message, SubmissionTags.IsTagField);

        Assert.Equal(2, removed);
        Assert.Equal([.. "From: a@b.test\r\n"u8, .. eightBit, .. body], message[..length]);
    }

    [Fact]
    public void A_block_without_such_fields_is_not_moved()
    {
        var message = Encoding.ASCII.GetBytes("From: a@b.test\r\nSubject: s\r\n\r\nbody\r\n");
        var names = new List<string>();

        var (length, removed) = HeaderBlock.RemoveFields(message, name =>
        {
            names.Add(Encoding.ASCII.GetString(name));
            return false;
        });

        Assert.Equal((message.Length, 0), (length, removed));
        Assert.Equal(["From", "Subject"], names);
    }

    [Fact]
    public void Random_header_blocks_lose_exactly_the_tag_fields()
    {
        string[] kept =
        [
            "From: <a@b.test>\r\n", "Subject: hello\r\n", "Subject: folded\r\n\tover two lines\r\n", "X-Sendarix-Taggy: keep\r\n",
            "X-Mailer: test\r\n", "Received: from x\r\n by y\r\n", "X-PM-Tagline: keep\r\n", "garbage line without colon\r\n",
        ];
        string[] tags =
        [
            "X-Sendarix-Tag: a\r\n", "x-pm-tag: b\r\n", "X-SMTPAPI: {\"category\":\r\n \"c\"}\r\n", "X-SES-MESSAGE-TAGS: k=v\r\n",
            "X-Sendarix-Metadata-Key: v\r\n \r\n\tmore\r\n", "X-PM-Metadata-x: y\r\n",
        ];
        var random = new Random(20261201);
        for (var i = 0; i < 2_000; i++)
        {
            var message = new StringBuilder();
            var expected = new StringBuilder();
            var count = 0;
            for (var n = random.Next(0, 12); n > 0; n--)
            {
                if (random.Next(2) == 0)
                {
                    var field = kept[random.Next(kept.Length)];
                    message.Append(field);
                    expected.Append(field);
                }
                else
                {
                    message.Append(tags[random.Next(tags.Length)]);
                    count++;
                }
            }

            var body = random.Next(3) switch
            {
                0 => "",
                1 => "\r\n",
                _ => "\r\nX-Sendarix-Tag: body\r\n\r\nmore\r\n",
            };

            Assert.Equal(expected + body, Remove(message + body, out var removed));
            Assert.Equal(count, removed);
        }
    }

    static string Remove(string message, out int removed)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        (var length, removed) = HeaderBlock.RemoveFields(bytes, SubmissionTags.IsTagField);
        return Encoding.UTF8.GetString(bytes, 0, length);
    }
}
