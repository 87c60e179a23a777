using System.ComponentModel.DataAnnotations;

namespace Sendarix.Host.Identity;

/// <summary>
/// The Key Vault whose secrets become configuration at start. Section "Sendarix:KeyVault". Read before anything else
/// is bound, so every setting can come from the vault.
/// </summary>
public sealed class KeyVaultOptions : IValidatableObject
{
    public const string Section = "Sendarix:KeyVault";

    /// <summary>The vault, e.g. "https://relay-kv.vault.azure.net/"; empty: no vault.</summary>
    public Uri? Uri { get; set; }

    /// <summary>
    /// Accept a vault whose authentication challenge names another domain than its own. Only for a stand-in vault on a
    /// loopback address (which no challenge resource can match); never for a real vault.
    /// </summary>
    public bool DisableChallengeResourceVerification { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Uri is not null && (!Uri.IsAbsoluteUri || Uri.Scheme != System.Uri.UriSchemeHttps))
        {
            yield return new ValidationResult($"Sendarix:KeyVault:Uri '{Uri}' must be an absolute https URI.", [nameof(Uri)]);
        }
    }
}
