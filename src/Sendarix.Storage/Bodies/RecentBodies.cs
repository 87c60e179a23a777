using System.Collections.Concurrent;

namespace Sendarix.Storage.Bodies;

/// <summary>
/// The bodies this process accepted most recently, so that a delivery worker in the same process reads them from
/// memory instead of Blob storage. A cache of immutable data: any process without it reads the blob, with the same
/// result.
/// </summary>
public sealed class RecentBodies
{
    const long MaxBytes = 64L * 1024 * 1024;

    readonly ConcurrentDictionary<string, ReadOnlyMemory<byte>> _blobs = new();
    readonly ConcurrentQueue<(string Blob, int Length)> _order = new();
    long _bytes;

    public void Add(string blob, ReadOnlyMemory<byte> content)
    {
        if (content.Length > MaxBytes / 4 || !_blobs.TryAdd(blob, content))
        {
            return;
        }

        _order.Enqueue((blob, content.Length));
        Interlocked.Add(ref _bytes, content.Length);
        while (Interlocked.Read(ref _bytes) > MaxBytes && _order.TryDequeue(out var oldest))
        {
            _blobs.TryRemove(oldest.Blob, out _);
            Interlocked.Add(ref _bytes, -oldest.Length);
        }
    }

    public bool TryGet(string blob, long offset, int length, out ReadOnlyMemory<byte> content)
    {
        content = default;
        if (!_blobs.TryGetValue(blob, out var whole) || offset + length > whole.Length)
        {
            return false;
        }

        content = whole.Slice((int)offset, length);
        return true;
    }
}
