namespace Sendarix.Contracts.Tenants;

/// <summary>The list of tenants, for the operator's listing. A single activation keyed "all".</summary>
public interface ITenantDirectoryGrain : IGrainWithStringKey
{
    const string Key = "all";

    Task AddAsync(TenantInfo tenant);

    Task<IReadOnlyList<TenantInfo>> ListAsync();
}
