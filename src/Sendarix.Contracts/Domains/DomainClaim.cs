namespace Sendarix.Contracts.Domains;

/// <summary>The result of claiming a domain: the domain, or a conflict when another tenant holds it.</summary>
[GenerateSerializer, Immutable, Alias("Sendarix.DomainClaim")]
public sealed record DomainClaim(
    [property: Id(0)] DomainInfo? Domain,
    [property: Id(1)] bool HeldByAnotherTenant);
