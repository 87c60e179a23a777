namespace Sendarix.Contracts.Tenants;

[GenerateSerializer, Immutable, Alias("Sendarix.TenantInfo")]
public sealed record TenantInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] DateTimeOffset CreatedAt);
