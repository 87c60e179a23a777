using System.Globalization;
using Azure;
using Azure.Storage.Blobs.Models;

namespace Sendarix.Storage.Bodies;

/// <summary>
/// Message bodies in Blob storage: one blob per tenant and acceptance batch, read back by range. Blobs are named
/// "{tenant}/{yyyy/MM/dd/HH}/{guid}", so a tenant's bodies of an hour are one prefix for the retention sweep.
/// </summary>
public sealed class BodyStore(StorageClients storage, RecentBodies recent)
{
    public static string BlobName(string tenantId, DateTimeOffset now) =>
        string.Create(CultureInfo.InvariantCulture, $"{tenantId}/{now.UtcDateTime:yyyy/MM/dd/HH}/{Guid.NewGuid():N}");

    /// <summary>
    /// Deletes a tenant's body blobs written from <paramref name="from"/> (null: its first) until the hour before
    /// <paramref name="before"/>'s, except those in <paramref name="keep"/> (bodies of messages still in delivery);
    /// returns how many it deleted.
    /// </summary>
    public async Task<int> DeleteAsync(string tenantId, DateTimeOffset? from, DateTimeOffset before, IReadOnlySet<string> keep, CancellationToken cancellationToken)
    {
        var end = Hour(before);
        var deleted = 0;
        foreach (var prefix in Prefixes(tenantId, from is { } start ? Hour(start) : null, end))
        {
            await foreach (var blob in storage.Bodies.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken))
            {
                if (HourOf(blob.Name) is { } hour && hour < end && !keep.Contains(blob.Name)
                    && (await storage.Bodies.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken)).Value)
                {
                    deleted++;
                }
            }
        }

        return deleted;
    }

    /// <summary>The prefixes to list: a day at a time from a known start, otherwise the tenant's whole folder.</summary>
    static IEnumerable<string> Prefixes(string tenantId, DateTime? from, DateTime end)
    {
        if (from is not { } day)
        {
            yield return $"{tenantId}/";
            yield break;
        }

        for (day = day.Date; day < end; day = day.AddDays(1))
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"{tenantId}/{day:yyyy/MM/dd}/");
        }
    }

    static DateTime Hour(DateTimeOffset time) => new(time.UtcDateTime.Year, time.UtcDateTime.Month, time.UtcDateTime.Day, time.UtcDateTime.Hour, 0, 0, DateTimeKind.Utc);

    /// <summary>The hour a blob was written in, from its name; null for a name not of <see cref="BlobName"/>'s form.</summary>
    static DateTime? HourOf(string name) =>
        name.Split('/') is [_, var y, var m, var d, var h, _]
        && DateTime.TryParseExact($"{y}/{m}/{d}/{h}", "yyyy/MM/dd/HH", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var hour)
            ? DateTime.SpecifyKind(hour, DateTimeKind.Utc)
            : null;

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
