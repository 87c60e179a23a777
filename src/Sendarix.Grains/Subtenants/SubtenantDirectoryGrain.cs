using Sendarix.Contracts.Subtenants;

namespace Sendarix.Grains.Subtenants;

/// <summary>A tenant's sub-tenant ids, sorted; the one writer of their number, so the limit holds across the cluster.</summary>
public sealed class SubtenantDirectoryGrain(
    [PersistentState("subtenants", GrainStorage.Default)] IPersistentState<SubtenantDirectoryState> state) : Grain, ISubtenantDirectoryGrain
{
    public async Task<bool> TryAddAsync(string subtenantId, int max)
    {
        var ids = state.State.Ids;
        var at = ids.BinarySearch(subtenantId, StringComparer.Ordinal);
        if (at >= 0)
        {
            return true;
        }

        if (ids.Count >= max)
        {
            return false;
        }

        ids.Insert(~at, subtenantId);
        await state.WriteStateAsync();
        return true;
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.Ids]);
}

[GenerateSerializer, Alias("Sendarix.SubtenantDirectoryState")]
public sealed class SubtenantDirectoryState
{
    [Id(0)] public List<string> Ids { get; set; } = [];
}
