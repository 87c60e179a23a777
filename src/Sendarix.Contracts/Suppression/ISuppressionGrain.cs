namespace Sendarix.Contracts.Suppression;

/// <summary>
/// A tenant's suppression list, keyed by tenant id (or a sub-tenant's own, keyed <c>ISubtenantGrain.Key</c>): the set is held in memory (loaded from Table storage on
/// activation), so delivery asks about a whole group of recipients in one call.
/// </summary>
public interface ISuppressionGrain : IGrainWithStringKey
{
    /// <summary>Those of the addresses that are suppressed.</summary>
    Task<IReadOnlyList<string>> FilterAsync(IReadOnlyList<string> addresses);

    Task AddAsync(IReadOnlyList<SuppressedRecipient> entries);

    /// <summary>False when the address was not suppressed.</summary>
    Task<bool> RemoveAsync(string address);

    /// <summary>Entries in address order, from <paramref name="after"/> (exclusive), optionally those starting with <paramref name="prefix"/>.</summary>
    Task<IReadOnlyList<SuppressedRecipient>> ListAsync(string? prefix, string? after, int max);
}
