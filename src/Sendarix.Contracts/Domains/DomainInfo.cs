namespace Sendarix.Contracts.Domains;

/// <summary>
/// A tenant's sender domain. Status is "pending" until its DKIM record is found, "verified" while it is, and
/// "failed" when a re-check no longer finds it. During a key rotation <see cref="NextSelector"/> names the new key,
/// whose record ("dkim-next") is listed beside the current one until it verifies and signing switches to it.
/// </summary>
[GenerateSerializer, Immutable, Alias("Sendarix.DomainInfo")]
public sealed record DomainInfo(
    [property: Id(0)] string Domain,
    [property: Id(1)] string TenantId,
    [property: Id(2)] string Status,
    [property: Id(3)] string Selector,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset? VerifiedAt,
    [property: Id(6)] DateTimeOffset? LastCheckedAt,
    [property: Id(7)] IReadOnlyList<DomainRecord> Records,
    [property: Id(8)] string? NextSelector = null);
