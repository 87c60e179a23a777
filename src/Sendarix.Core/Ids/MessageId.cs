using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Sendarix.Core.Ids;

/// <summary>
/// A message's id: "{tenantId}-{local}". The local part starts with the inverted acceptance time so that a
/// tenant's messages sort newest first in storage, and ends with random bits so front-ends never collide.
/// The tenant prefix tells every node where the message lives without a global index.
/// </summary>
public sealed record MessageId(string TenantId, string Local)
{
    public override string ToString() => $"{TenantId}-{Local}";

    public static MessageId New(string tenantId, DateTimeOffset now)
    {
        Span<byte> bytes = stackalloc byte[13];
        BinaryPrimitives.WriteInt64BigEndian(bytes, long.MaxValue - now.ToUnixTimeMilliseconds());
        RandomNumberGenerator.Fill(bytes[8..]);
        return new MessageId(tenantId, Base32.Encode(bytes).ToLowerInvariant());
    }

    /// <summary>
    /// The local ids of messages accepted from <paramref name="oldest"/> to <paramref name="newest"/> lie between
    /// these two (inclusive): newer messages have smaller ids.
    /// </summary>
    public static (string First, string Last) LocalRange(DateTimeOffset newest, DateTimeOffset oldest) => (Bound(newest, 0x00), Bound(oldest, 0xff));

    /// <summary>When a message was accepted, to the millisecond, read from its local id; null when it is not one the relay made.</summary>
    public static DateTimeOffset? AcceptedAt(string local)
    {
        Span<byte> bytes = stackalloc byte[13];
        if (local.Length != 21 || !Base32.TryDecode(local, bytes))
        {
            return null;
        }

        var inverted = BinaryPrimitives.ReadInt64BigEndian(bytes);
        var milliseconds = long.MaxValue - inverted;
        return milliseconds is >= 0 and <= 253402300799999 ? DateTimeOffset.FromUnixTimeMilliseconds(milliseconds) : null;
    }

    static string Bound(DateTimeOffset time, byte fill)
    {
        Span<byte> bytes = stackalloc byte[13];
        BinaryPrimitives.WriteInt64BigEndian(bytes, long.MaxValue - time.ToUnixTimeMilliseconds());
        bytes[8..].Fill(fill);
        return Base32.Encode(bytes).ToLowerInvariant();
    }

    /// <summary>An id the relay made itself (carried in its own work items and events); throws when it is not one.</summary>
    public static MessageId Parse(string text) => TryParse(text, out var id) ? id : throw new FormatException($"Not a message id: '{text}'.");

    public static bool TryParse(string? text, out MessageId id)
    {
        id = null!;
        var dash = text?.IndexOf('-') ?? -1;
        if (text is null || dash <= 0 || dash == text.Length - 1 || !TenantIds.IsValid(text[..dash]))
        {
            return false;
        }

        var local = text[(dash + 1)..];
        if (local.Length > 40 || !local.All(char.IsAsciiLetterOrDigit))
        {
            return false;
        }

        id = new MessageId(text[..dash], local);
        return true;
    }
}
