namespace Sendarix.Contracts.Domains;

/// <summary>
/// What a delivery worker needs to sign for a domain: the selector and the RSA private key (PKCS#8), and the
/// optional Ed25519 key (raw 32 bytes) for a second signature. Only ever passed between silos; no API returns it.
/// </summary>
[GenerateSerializer, Immutable, Alias("Sendarix.DkimKey")]
public sealed record DkimKey(
    [property: Id(0)] string Domain,
    [property: Id(1)] string Selector,
    [property: Id(2)] byte[] PrivateKey,
    [property: Id(3)] string? Ed25519Selector = null,
    [property: Id(4)] byte[]? Ed25519PrivateKey = null);
