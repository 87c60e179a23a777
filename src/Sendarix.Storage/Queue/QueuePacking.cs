using System.Text;

namespace Sendarix.Storage.Queue;

/// <summary>Packs items into as few queue messages as fit, each a JSON array, so a batch costs one queue call, not one per item.</summary>
internal static class QueuePacking
{
    // A queue message holds 64 KB; stay well below so one large item never fails the send.
    public const int MaxMessageBytes = 48 * 1024;

    /// <summary>Groups of items whose JSON arrays stay under <paramref name="maxBytes"/> (an item larger than that goes alone).</summary>
    public static IEnumerable<List<T>> Pack<T>(IEnumerable<T> items, Func<T, string> serialize, int maxBytes, int maxItems = int.MaxValue)
    {
        var batch = new List<T>();
        var size = 2;
        foreach (var item in items)
        {
            var itemSize = Encoding.UTF8.GetByteCount(serialize(item)) + 1;
            if (batch.Count > 0 && (size + itemSize > maxBytes || batch.Count == maxItems))
            {
                yield return batch;
                batch = [];
                size = 2;
            }

            batch.Add(item);
            size += itemSize;
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }
}
