using Orleans.Concurrency;

namespace Sendarix.Contracts.Webhooks;

/// <summary>
/// A tenant's webhook endpoints and their signing secrets, keyed by tenant id. Secrets are stored encrypted and
/// returned only by <see cref="CreateAsync"/> and <see cref="RotateSecretAsync"/> (to the tenant, once) and by
/// <see cref="GetSigningSecretsAsync"/> (to the dispatcher, to sign with).
/// </summary>
public interface IWebhookEndpointsGrain : IGrainWithStringKey
{
    /// <summary>Adds an endpoint, enabled, with a new secret; refused for a URL that is not allowed or past the tenant's limit.</summary>
    Task<WebhookEndpointResult> CreateAsync(WebhookEndpointSettings settings);

    // Reads interleave: a change waits for DNS, and the dispatcher's reads should not wait with it.
    [AlwaysInterleave]
    Task<IReadOnlyList<WebhookEndpoint>> ListAsync();

    /// <summary>The endpoint, or null when the tenant has none with this id.</summary>
    [AlwaysInterleave]
    Task<WebhookEndpoint?> GetAsync(string endpointId);

    Task<WebhookEndpointResult> UpdateAsync(string endpointId, WebhookEndpointChange change);

    /// <summary>Removes the endpoint and its secrets; false when the tenant has none with this id.</summary>
    Task<bool> DeleteAsync(string endpointId);

    /// <summary>
    /// Makes a new secret; the current one stays valid beside it for <paramref name="overlap"/> (null: the configured
    /// default; at most <see cref="Sendarix.Core.Webhooks.WebhookOptions.MaxSecretOverlap"/>; zero ends it now).
    /// </summary>
    Task<WebhookEndpointResult> RotateSecretAsync(string endpointId, TimeSpan? overlap);

    /// <summary>
    /// The secrets to sign a request to the endpoint with: the current one first, then any rotated one still within its
    /// overlap. Null when the tenant has no endpoint with this id.
    /// </summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<string>?> GetSigningSecretsAsync(string endpointId);

    /// <summary>
    /// Disables the endpoint with the reason (the relay's call: it answered 410 Gone, or failed for too long); the
    /// tenant enables it again with <see cref="UpdateAsync"/>. True when this call disabled it, false when it was
    /// already disabled or does not exist.
    /// </summary>
    Task<bool> DisableAsync(string endpointId, string reason);

    /// <summary>
    /// How deliveries to the endpoint go (the dispatcher reports changes, and a run of failures now and then): an
    /// endpoint whose every delivery has failed for <see cref="Sendarix.Core.Webhooks.WebhookOptions.DisableAfter"/>
    /// is disabled, and the tenant gets a <c>webhook.endpoint_disabled</c> event.
    /// </summary>
    Task RecordDeliveryAsync(string endpointId, bool delivered, DateTimeOffset at);
}
