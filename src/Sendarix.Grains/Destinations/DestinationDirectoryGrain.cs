using Sendarix.Contracts.Destinations;

namespace Sendarix.Grains.Destinations;

public sealed class DestinationDirectoryGrain(
    [PersistentState("destinations", GrainStorage.Default)] IPersistentState<DestinationDirectoryState> state) : Grain, IDestinationDirectoryGrain
{
    public async Task SetListedAsync(string destination, bool listed)
    {
        if (listed ? state.State.Destinations.Add(destination) : state.State.Destinations.Remove(destination))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>(state.State.Destinations.Order(StringComparer.Ordinal).ToList());
}

[GenerateSerializer, Alias("Sendarix.DestinationDirectoryState")]
public sealed class DestinationDirectoryState
{
    [Id(0)] public HashSet<string> Destinations { get; set; } = [];
}
