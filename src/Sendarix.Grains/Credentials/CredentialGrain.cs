using Sendarix.Contracts.Credentials;

namespace Sendarix.Grains.Credentials;

public sealed class CredentialGrain(
    [PersistentState("credential", GrainStorage.Default)] IPersistentState<CredentialState> state) : Grain, ICredentialGrain
{
    public async Task InitializeAsync(CredentialRecord record)
    {
        if (state.State.Record is not null)
        {
            throw new InvalidOperationException("A credential with this username already exists.");
        }

        state.State.Record = record;
        await state.WriteStateAsync();
    }

    public Task<CredentialRecord?> GetAsync() => Task.FromResult(state.State.Record);

    public async Task RevokeAsync()
    {
        if (state.State.Record is { Revoked: false } record)
        {
            state.State.Record = record with { Revoked = true };
            await state.WriteStateAsync();
        }
    }
}
