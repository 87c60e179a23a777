using Microsoft.Extensions.Options;
using Sendarix.Contracts.Webhooks;
using Sendarix.Core.Caching;

namespace Sendarix.Delivery.Webhooks;

/// <summary>
/// A tenant's endpoints and an endpoint's signing secrets, read from the tenant's grain and kept for a couple of
/// seconds: routing and signing ask per event group, the grain is asked once per tenant and lifetime.
/// </summary>
internal sealed class WebhookEndpointCache(IGrainFactory grains, IOptions<WebhookDispatchOptions> options, TimeProvider time)
{
    readonly ExpiringCache<IReadOnlyList<WebhookEndpoint>> _endpoints = new(time, options.Value.EndpointCacheDuration);
    readonly ExpiringCache<IReadOnlyList<string>?> _secrets = new(time, options.Value.EndpointCacheDuration);

    public Task<IReadOnlyList<WebhookEndpoint>> ListAsync(string tenantId) =>
        _endpoints.GetOrAddAsync(tenantId, () => grains.GetGrain<IWebhookEndpointsGrain>(tenantId).ListAsync());

    public async Task<WebhookEndpoint?> GetAsync(string tenantId, string endpointId) =>
        (await ListAsync(tenantId)).FirstOrDefault(e => e.Id == endpointId);

    public Task<IReadOnlyList<string>?> SecretsAsync(string tenantId, string endpointId) =>
        _secrets.GetOrAddAsync($"{tenantId}/{endpointId}", () => grains.GetGrain<IWebhookEndpointsGrain>(tenantId).GetSigningSecretsAsync(endpointId));
}
