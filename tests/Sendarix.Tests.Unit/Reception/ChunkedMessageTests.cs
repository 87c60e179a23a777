using Sendarix.Reception.Protocol;

namespace Sendarix.Tests.Unit;

public sealed class ChunkedMessageTests
{
    [Fact]
    public void Chunks_are_joined_as_sent_and_the_next_transaction_starts_empty()
    {
        var message = new ChunkedMessage(maxSize: 100);
        message.Append("From: a\r\n"u8);
        message.Continue();
        message.Append("\r\nbody\r"u8);
        message.Append("\n"u8);
        Assert.True(message.InProgress);

        Assert.Equal("From: a\r\n\r\nbody\r\n"u8.ToArray(), message.Complete().ToArray());
        Assert.False(message.InProgress);
        Assert.True(message.Complete().IsEmpty);
    }

    [Fact]
    public void Octets_past_the_limit_make_the_message_too_large_until_it_is_reset()
    {
        var message = new ChunkedMessage(maxSize: 10);
        message.Append(new byte[10]);
        Assert.False(message.TooLarge);
        message.Append(new byte[1]);
        Assert.True(message.TooLarge);
        message.Append(new byte[5]);
        Assert.True(message.TooLarge);

        message.Reset();
        Assert.False(message.TooLarge);
        message.Append(new byte[3]);
        Assert.Equal(3, message.Complete().Length);
    }
}
