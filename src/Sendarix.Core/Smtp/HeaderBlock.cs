namespace Sendarix.Core.Smtp;

/// <summary>The header block of a message as bytes: its lines up to the first empty line (RFC 5322 2.1).</summary>
public static class HeaderBlock
{
    /// <summary>
    /// Removes, in place, the header fields whose name <paramref name="isRemoved"/> matches, each with its folded
    /// continuation lines, and moves every other byte up unchanged. The name is the first line's text before its
    /// colon, without the blanks RFC 5322's obsolete syntax allows there. Lines end with CRLF (bare line breaks are
    /// refused before); nothing after the empty line that ends the block is looked at. Returns the message's new
    /// length (the bytes beyond it are left over) and how many fields were removed.
    /// </summary>
    public static (int Length, int Removed) RemoveFields(Span<byte> message, Func<ReadOnlySpan<byte>, bool> isRemoved)
    {
        var read = 0;
        var write = 0;
        var removed = 0;
        while (read < message.Length && !message[read..].StartsWith("\r\n"u8))
        {
            var end = EndOfLine(message, read);
            var colon = message[read..end].IndexOf((byte)':');
            while (end < message.Length && message[end] is (byte)' ' or (byte)'\t')
            {
                end = EndOfLine(message, end);
            }

            if (colon > 0 && isRemoved(((ReadOnlySpan<byte>)message.Slice(read, colon)).TrimEnd(" \t"u8)))
            {
                removed++;
            }
            else
            {
                // Nothing moves until the first removal: a block without such fields is only read.
                if (write != read)
                {
                    message[read..end].CopyTo(message[write..]);
                }

                write += end - read;
            }

            read = end;
        }

        if (write != read)
        {
            message[read..].CopyTo(message[write..]);
        }

        return (write + message.Length - read, removed);
    }

    static int EndOfLine(ReadOnlySpan<byte> message, int start)
    {
        var crlf = message[start..].IndexOf("\r\n"u8);
        return crlf < 0 ? message.Length : start + crlf + 2;
    }
}
