using System.ComponentModel.DataAnnotations;

namespace Sendarix.Api;

/// <summary>The management API. Section "Sendarix:Api".</summary>
public sealed class ApiOptions
{
    public const string Section = "Sendarix:Api";

    /// <summary>Where the API listens, e.g. "http://127.0.0.1:8025".</summary>
    [Required]
    public string Url { get; set; } = "http://127.0.0.1:8025";

    /// <summary>
    /// The operator's key, sent as "Authorization: Bearer &lt;key&gt;". At least 32 characters. In development an
    /// empty key is replaced by one generated on first run and kept in <see cref="DevelopmentKeyPath"/>.
    /// </summary>
    public string? OperatorApiKey { get; set; }

    [Required]
    public string DevelopmentKeyPath { get; set; } = ".data/dev-operator-key";

    /// <summary>Calls a tenant API key may make per second, per API node, on average; more get 429 with Retry-After.</summary>
    [Range(1, 100_000)]
    public int TenantRequestsPerSecond { get; set; } = 20;

    /// <summary>Calls a tenant API key may make at once before the per-second rate applies.</summary>
    [Range(1, 100_000)]
    public int TenantBurst { get; set; } = 100;

    /// <summary>The same for the operator key; 0 (the default) leaves the operator unlimited.</summary>
    [Range(0, 100_000)]
    public int OperatorRequestsPerSecond { get; set; }
}
