using Sendarix.Contracts.Credentials;

namespace Sendarix.Grains.Credentials;

/// <summary>A tenant's OAuth issuer registrations: public settings only (issuer, keys URL, audience), no secret.</summary>
public sealed class OAuthIssuersGrain(
    [PersistentState("oauth-issuers", GrainStorage.Default)] IPersistentState<OAuthIssuersState> state) : Grain, IOAuthIssuersGrain
{
    public async Task<bool> PutAsync(OAuthIssuer issuer)
    {
        var created = state.State.Issuers.RemoveAll(i => i.Name == issuer.Name) == 0;
        state.State.Issuers.Add(issuer);
        await state.WriteStateAsync();
        return created;
    }

    public Task<IReadOnlyList<OAuthIssuer>> ListAsync() =>
        Task.FromResult<IReadOnlyList<OAuthIssuer>>(state.State.Issuers.OrderBy(i => i.Name, StringComparer.Ordinal).ToList());

    public async Task<bool> DeleteAsync(string name)
    {
        if (state.State.Issuers.RemoveAll(i => i.Name == name) == 0)
        {
            return false;
        }

        await state.WriteStateAsync();
        return true;
    }
}

[GenerateSerializer, Alias("Sendarix.OAuthIssuersState")]
public sealed class OAuthIssuersState
{
    [Id(0)] public List<OAuthIssuer> Issuers { get; set; } = [];
}
