using System.ComponentModel.DataAnnotations;

namespace Sendarix.Grains.Domains;

/// <summary>Sender domains and their DKIM keys. Section "Sendarix:Domains".</summary>
public sealed class DomainOptions : IValidatableObject
{
    public const string Section = "Sendarix:Domains";

    /// <summary>
    /// Base64 of 32 random bytes: the key that encrypts DKIM private keys at rest (in Azure, from Key Vault).
    /// Required outside development, where one is generated on first run into <see cref="DevelopmentKeyPath"/>.
    /// </summary>
    public string? KeyEncryptionKey { get; set; }

    [Required]
    public string DevelopmentKeyPath { get; set; } = ".data/dev-key-encryption-key";

    /// <summary>The domain senders include in their SPF record to authorise the relay (e.g. "_spf.relay.example").</summary>
    public string? SpfInclude { get; set; }

    /// <summary>How often a domain's records are looked up again, so a record removed later is noticed.</summary>
    public TimeSpan RecheckInterval { get; set; } = TimeSpan.FromDays(1);

    public byte[] KeyEncryptionKeyBytes() => Convert.FromBase64String(KeyEncryptionKey!);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var bytes = new byte[64];
        if (KeyEncryptionKey is null || !Convert.TryFromBase64String(KeyEncryptionKey, bytes, out var length) || length != 32)
        {
            yield return new ValidationResult("Sendarix:Domains:KeyEncryptionKey must be the Base64 of 32 random bytes.", [nameof(KeyEncryptionKey)]);
        }

        if (RecheckInterval < TimeSpan.FromSeconds(1))
        {
            yield return new ValidationResult("Sendarix:Domains:RecheckInterval must be at least one second.", [nameof(RecheckInterval)]);
        }
    }
}
