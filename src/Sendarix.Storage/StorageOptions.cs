using System.ComponentModel.DataAnnotations;

namespace Sendarix.Storage;

/// <summary>
/// Where the relay keeps its data. Section "Sendarix:Storage". An account is reached either by connection string
/// (Azurite, or keys) or by its service URIs with the relay's Azure identity (managed identity in Azure): no key.
/// </summary>
public sealed class StorageOptions : IValidatableObject
{
    public const string Section = "Sendarix:Storage";

    /// <summary>
    /// An Azure Storage connection string; "UseDevelopmentStorage=true" is Azurite on its default ports. Not used when
    /// the service URIs are set.
    /// </summary>
    public string? ConnectionString { get; set; } = "UseDevelopmentStorage=true";

    /// <summary>The account's table endpoint (e.g. "https://account.table.core.windows.net"), reached with the relay's Azure identity.</summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary>The account's queue endpoint, reached with the relay's Azure identity.</summary>
    public Uri? QueueServiceUri { get; set; }

    /// <summary>The account's blob endpoint, reached with the relay's Azure identity.</summary>
    public Uri? BlobServiceUri { get; set; }

    /// <summary>
    /// The account of what is written for people to read back (search summaries and index rows, statistics); empty:
    /// the one above. A second account keeps reporting writes out of the accounts' shared limits, so indexing never
    /// slows accepting or delivering (docs/architecture.md, "Search").
    /// </summary>
    public string? ReportingConnectionString { get; set; }

    /// <summary>The reporting account's table endpoint, reached with the relay's Azure identity; instead of <see cref="ReportingConnectionString"/>.</summary>
    public Uri? ReportingTableServiceUri { get; set; }

    /// <summary>Prefix of every table, queue and container name, so several relays can share one account.</summary>
    [Required, RegularExpression("^[a-z][a-z0-9]{0,15}$", ErrorMessage = "Prefix must be 1-16 lower-case letters or digits, starting with a letter.")]
    public string Prefix { get; set; } = "sx";

    /// <summary>Whether the main account is reached by service URI and token rather than by connection string.</summary>
    public bool UsesServiceUris => TableServiceUri is not null || QueueServiceUri is not null || BlobServiceUri is not null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (UsesServiceUris)
        {
            if (TableServiceUri is null || QueueServiceUri is null || BlobServiceUri is null)
            {
                yield return new ValidationResult(
                    "Sendarix:Storage: TableServiceUri, QueueServiceUri and BlobServiceUri go together; set all three (storage reached with the relay's Azure identity), or none and ConnectionString.",
                    [nameof(TableServiceUri), nameof(QueueServiceUri), nameof(BlobServiceUri)]);
            }
        }
        else if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return new ValidationResult(
                "Sendarix:Storage: set ConnectionString, or TableServiceUri, QueueServiceUri and BlobServiceUri.", [nameof(ConnectionString)]);
        }

        foreach (var (name, uri) in new[]
        {
            (nameof(TableServiceUri), TableServiceUri), (nameof(QueueServiceUri), QueueServiceUri),
            (nameof(BlobServiceUri), BlobServiceUri), (nameof(ReportingTableServiceUri), ReportingTableServiceUri),
        })
        {
            // The SDKs refuse to send a bearer token over plain HTTP; saying so here beats a failure at the first request.
            if (uri is not null && (!uri.IsAbsoluteUri || uri.Scheme != Uri.UriSchemeHttps))
            {
                yield return new ValidationResult($"Sendarix:Storage:{name} '{uri}' must be an absolute https URI.", [name]);
            }
        }

        if (ReportingTableServiceUri is not null && !string.IsNullOrWhiteSpace(ReportingConnectionString))
        {
            yield return new ValidationResult(
                "Sendarix:Storage: set ReportingConnectionString or ReportingTableServiceUri, not both.", [nameof(ReportingTableServiceUri)]);
        }
    }
}
