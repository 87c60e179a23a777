using Orleans.Concurrency;

namespace Sendarix.Contracts.Upstreams;

/// <summary>
/// A tenant's routes through upstream smarthosts, keyed by tenant id. Secrets are stored encrypted under the
/// key-encryption key and leave the grain only through <see cref="GetDeliveryRoutesAsync"/>, to the delivery workers.
/// </summary>
public interface IUpstreamRoutesGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces the named route; refused past the tenant's limit, or without a secret its login needs.</summary>
    Task<UpstreamRouteResult> PutAsync(string name, UpstreamRouteSettings settings);

    [AlwaysInterleave]
    Task<IReadOnlyList<UpstreamRoute>> ListAsync();

    [AlwaysInterleave]
    Task<UpstreamRoute?> GetAsync(string name);

    /// <summary>Removes the route and its secret; false when there is none by that name.</summary>
    Task<bool> DeleteAsync(string name);

    [AlwaysInterleave]
    Task<IReadOnlyList<UpstreamDeliveryRoute>> GetDeliveryRoutesAsync();
}
