using System.ComponentModel.DataAnnotations;

namespace Sendarix.Storage;

/// <summary>Where the relay keeps its data. Section "Sendarix:Storage".</summary>
public sealed class StorageOptions
{
    public const string Section = "Sendarix:Storage";

    /// <summary>An Azure Storage connection string; "UseDevelopmentStorage=true" is Azurite on its default ports.</summary>
    [Required]
    public string ConnectionString { get; set; } = "UseDevelopmentStorage=true";

    /// <summary>Prefix of every table, queue and container name, so several relays can share one account.</summary>
    [Required, RegularExpression("^[a-z][a-z0-9]{0,15}$", ErrorMessage = "Prefix must be 1-16 lower-case letters or digits, starting with a letter.")]
    public string Prefix { get; set; } = "sx";
}
