namespace Sendarix.Contracts.Domains;

/// <summary>
/// What a delivery worker needs to sign for a domain: the selector and the private key (PKCS#8). Only ever passed
/// between silos; no API returns it.
/// </summary>
[GenerateSerializer, Immutable, Alias("Sendarix.DkimKey")]
public sealed record DkimKey(
    [property: Id(0)] string Domain,
    [property: Id(1)] string Selector,
    [property: Id(2)] byte[] PrivateKey);
