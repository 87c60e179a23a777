using Sendarix.Contracts.Tenants;

namespace Sendarix.Grains.Tenants;

public sealed class TenantDirectoryGrain(
    [PersistentState("tenants", GrainStorage.Default)] IPersistentState<TenantDirectoryState> state) : Grain, ITenantDirectoryGrain
{
    public async Task AddAsync(TenantInfo tenant)
    {
        if (state.State.Tenants.Exists(t => t.Id == tenant.Id))
        {
            return;
        }

        state.State.Tenants.Add(tenant);
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<TenantInfo>> ListAsync() => Task.FromResult<IReadOnlyList<TenantInfo>>(state.State.Tenants.ToList());
}
