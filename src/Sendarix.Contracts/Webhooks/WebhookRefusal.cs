namespace Sendarix.Contracts.Webhooks;

/// <summary>Why a change to a tenant's endpoints was not made.</summary>
public enum WebhookRefusal
{
    None,
    NotFound,

    /// <summary>The URL's form, its scheme, or the addresses its host resolves to are not allowed.</summary>
    InvalidUrl,

    /// <summary>The tenant already has as many endpoints as it may.</summary>
    TooManyEndpoints,
}
