using System.ComponentModel.DataAnnotations;

namespace Sendarix.Storage;

/// <summary>Where the relay keeps its data. Section "Sendarix:Storage".</summary>
public sealed class StorageOptions
{
    public const string Section = "Sendarix:Storage";

    /// <summary>An Azure Storage connection string; "UseDevelopmentStorage=true" is Azurite on its default ports.</summary>
    [Required]
    public string ConnectionString { get; set; } = "UseDevelopmentStorage=true";

    /// <summary>
    /// The account of what is written for people to read back (search summaries and index rows, statistics); empty:
    /// the one above. A second account keeps reporting writes out of the accounts' shared limits, so indexing never
    /// slows accepting or delivering (docs/architecture.md, "Search").
    /// </summary>
    public string? ReportingConnectionString { get; set; }

    /// <summary>Prefix of every table, queue and container name, so several relays can share one account.</summary>
    [Required, RegularExpression("^[a-z][a-z0-9]{0,15}$", ErrorMessage = "Prefix must be 1-16 lower-case letters or digits, starting with a letter.")]
    public string Prefix { get; set; } = "sx";
}
