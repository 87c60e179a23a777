using Sendarix.Contracts.Suppression;
using Sendarix.Core.Suppression;
using Sendarix.Storage.Suppression;

namespace Sendarix.Grains.Suppression;

/// <summary>
/// The tenant's list in memory, written through to Table storage before it changes in memory, so what the grain
/// answers is always stored. Memory grows with the list (about 100 bytes an address); a list of millions would move
/// to a probabilistic filter in front of point reads.
/// </summary>
public sealed class SuppressionGrain(SuppressionStore store) : Grain, ISuppressionGrain
{
    readonly SortedDictionary<string, SuppressedRecipient> _entries = new(StringComparer.Ordinal);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await foreach (var e in store.AllAsync(this.GetPrimaryKeyString(), cancellationToken))
        {
            _entries[e.Address] = new SuppressedRecipient(e.Address, e.Reason, e.CreatedAt, e.MessageId);
        }
    }

    public Task<IReadOnlyList<string>> FilterAsync(IReadOnlyList<string> addresses) =>
        Task.FromResult<IReadOnlyList<string>>(addresses.Where(a => _entries.ContainsKey(SuppressionRules.Normalize(a))).ToList());

    public async Task AddAsync(IReadOnlyList<SuppressedRecipient> entries)
    {
        var fresh = entries.Select(e => e with { Address = SuppressionRules.Normalize(e.Address) }).Where(e => !_entries.ContainsKey(e.Address)).ToList();
        if (fresh.Count == 0)
        {
            return;
        }

        await store.AddAsync(this.GetPrimaryKeyString(), fresh.Select(e => new Storage.Suppression.Suppression(e.Address, e.Reason, e.CreatedAt, e.MessageId)).ToList(), CancellationToken.None);
        foreach (var e in fresh)
        {
            _entries[e.Address] = e;
        }
    }

    public async Task<bool> RemoveAsync(string address)
    {
        address = SuppressionRules.Normalize(address);
        if (!_entries.ContainsKey(address))
        {
            return false;
        }

        await store.RemoveAsync(this.GetPrimaryKeyString(), address, CancellationToken.None);
        _entries.Remove(address);
        return true;
    }

    public Task<IReadOnlyList<SuppressedRecipient>> ListAsync(string? prefix, string? after, int max) =>
        Task.FromResult<IReadOnlyList<SuppressedRecipient>>(_entries.Values
            .Where(e => after is null || string.CompareOrdinal(e.Address, after) > 0)
            .Where(e => prefix is null || e.Address.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Take(max)
            .ToList());
}
