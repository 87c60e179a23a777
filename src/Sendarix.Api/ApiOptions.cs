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
}
