using Sendarix.Contracts.Domains;

namespace Sendarix.Grains.Domains;

[GenerateSerializer, Alias("Sendarix.DomainState")]
public sealed class DomainState
{
    [Id(0)] public string? TenantId { get; set; }

    [Id(1)] public string Selector { get; set; } = "";

    /// <summary>The DKIM private key (PKCS#8), encrypted under the key-encryption key.</summary>
    [Id(2)] public byte[] ProtectedPrivateKey { get; set; } = [];

    /// <summary>The DKIM public key (SubjectPublicKeyInfo, Base64), as published in the p= tag.</summary>
    [Id(3)] public string PublicKey { get; set; } = "";

    [Id(4)] public DateTimeOffset CreatedAt { get; set; }

    [Id(5)] public DateTimeOffset? VerifiedAt { get; set; }

    [Id(6)] public DateTimeOffset? LastCheckedAt { get; set; }

    [Id(7)] public string Status { get; set; } = DomainGrain.Pending;

    [Id(8)] public List<DomainRecord> Records { get; set; } = [];

    /// <summary>A rotation under way: the next key's selector, public key and encrypted private key.</summary>
    [Id(9)] public string? NextSelector { get; set; }

    [Id(10)] public string? NextPublicKey { get; set; }

    [Id(11)] public byte[]? NextProtectedPrivateKey { get; set; }

    /// <summary>Selectors no longer signed with; their records may be removed.</summary>
    [Id(12)] public List<string> RetiredSelectors { get; set; } = [];

    /// <summary>The optional Ed25519 key for a second signature: selector, public key (raw, Base64), encrypted private key.</summary>
    [Id(13)] public string? Ed25519Selector { get; set; }

    [Id(14)] public string? Ed25519PublicKey { get; set; }

    [Id(15)] public byte[]? Ed25519ProtectedPrivateKey { get; set; }
}
