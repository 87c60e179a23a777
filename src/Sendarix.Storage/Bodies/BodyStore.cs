using Azure;
using Azure.Storage.Blobs.Models;

namespace Sendarix.Storage.Bodies;

/// <summary>Message bodies in Blob storage: one blob per acceptance batch, read back by range.</summary>
public sealed class BodyStore(StorageClients storage, RecentBodies recent)
{
    public async Task UploadAsync(string blob, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        // A new name per batch: never overwrite, so a retried upload cannot replace bodies already referenced.
        var conditions = new BlobRequestConditions { IfNoneMatch = ETag.All };
        await storage.Bodies.GetBlobClient(blob).UploadAsync(BinaryData.FromBytes(content), new BlobUploadOptions { Conditions = conditions }, cancellationToken);
        recent.Add(blob, content);
    }

    public async Task<ReadOnlyMemory<byte>> ReadAsync(string blob, long offset, int length, CancellationToken cancellationToken)
    {
        if (length == 0)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        if (recent.TryGet(blob, offset, length, out var cached))
        {
            return cached;
        }

        var result = await storage.Bodies.GetBlobClient(blob).DownloadContentAsync(
            new BlobDownloadOptions { Range = new HttpRange(offset, length) }, cancellationToken);
        return result.Value.Content.ToMemory();
    }
}
