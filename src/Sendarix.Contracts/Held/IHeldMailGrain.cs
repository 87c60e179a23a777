namespace Sendarix.Contracts.Held;

/// <summary>
/// A tenant's mail held back as spam (keyed by tenant id): the one place a held message leaves the hold, released to
/// delivery, deleted, or expired when it has waited as long as any message may.
/// </summary>
public interface IHeldMailGrain : IGrainWithStringKey
{
    /// <summary>Makes sure held messages are looked at for expiry while there are any.</summary>
    Task WatchAsync();

    /// <summary>Sends the held message to delivery; false when it is not held (never was, or has left the hold).</summary>
    Task<bool> ReleaseAsync(string messageId);

    /// <summary>Deletes the held message: each recipient gets a failed event; false when it is not held.</summary>
    Task<bool> DeleteAsync(string messageId);
}
