using Sendarix.Contracts.Tenants;

namespace Sendarix.Grains.Tenants;

[GenerateSerializer, Alias("Sendarix.TenantDirectoryState")]
public sealed class TenantDirectoryState
{
    [Id(0)] public List<TenantInfo> Tenants { get; set; } = [];
}
