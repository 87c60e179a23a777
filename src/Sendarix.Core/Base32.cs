namespace Sendarix.Core;

/// <summary>Crockford's Base32 (no I, L, O, U): compact identifiers that sort like the bytes they encode.</summary>
public static class Base32
{
    const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[(bytes.Length * 8 + 4) / 5];
        int buffer = 0, bits = 0, index = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                chars[index++] = Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            chars[index++] = Alphabet[(buffer << (5 - bits)) & 31];
        }

        return new string(chars, 0, index);
    }

    /// <summary>The bytes that <see cref="Encode"/> wrote as <paramref name="text"/> (either case); false when it is not such text.</summary>
    public static bool TryDecode(ReadOnlySpan<char> text, Span<byte> bytes)
    {
        int buffer = 0, bits = 0, index = 0;
        foreach (var c in text)
        {
            var value = Alphabet.IndexOf(char.ToUpperInvariant(c), StringComparison.Ordinal);
            if (value < 0)
            {
                return false;
            }

            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8)
            {
                if (index == bytes.Length)
                {
                    return false;
                }

                bytes[index++] = (byte)(buffer >> (bits - 8));
                bits -= 8;
            }
        }

        return index == bytes.Length;
    }
}
