namespace Sendarix.Contracts.Destinations;

/// <summary>
/// The destinations with something to show: deferred mail waiting, a back-off, or an operator's hold. Destination
/// grains keep it up to date as they change state (never per message), so an operator can list where mail waits.
/// One for the cluster, keyed <see cref="Key"/>.
/// </summary>
public interface IDestinationDirectoryGrain : IGrainWithStringKey
{
    const string Key = "all";

    Task SetListedAsync(string destination, bool listed);

    Task<IReadOnlyList<string>> ListAsync();
}
