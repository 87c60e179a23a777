using System.Runtime.InteropServices;

namespace Sendarix.Core.Buffers;

public static class MemoryStreams
{
    /// <summary>A read-only stream over the bytes, without copying them when they are an array segment.</summary>
    public static MemoryStream Over(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(bytes.ToArray(), writable: false);
}
