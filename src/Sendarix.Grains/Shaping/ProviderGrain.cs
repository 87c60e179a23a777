using Microsoft.Extensions.Options;
using Sendarix.Contracts.Shaping;
using Sendarix.Core.Providers;
using Sendarix.Core.Routing;

namespace Sendarix.Grains.Shaping;

public sealed class ProviderGrain(
    [PersistentState("provider", GrainStorage.Default)] IPersistentState<ProviderState> state,
    IOptions<ShapingOptions> options) : Grain, IProviderGrain
{
    public Task<ProviderProfileInfo> GetAsync() => Task.FromResult(Info());

    public async Task<ProviderProfileInfo> SetAsync(ProviderSettings settings)
    {
        state.State.Settings = settings;
        await state.WriteStateAsync();
        return Info();
    }

    ProviderProfileInfo Info()
    {
        var name = this.GetPrimaryKeyString();
        var profile = options.Value.Configured(name);
        if (state.State.Settings is { } s)
        {
            profile = profile.With(new ProviderProfileChange(s.ConnectionsPerIp, s.MessagesPerConnection, s.MessagesPerMinutePerIp, s.RequireTls));
        }

        return new ProviderProfileInfo(name, profile.ConnectionsPerIp, profile.MessagesPerConnection, profile.MessagesPerMinutePerIp,
            profile.Tls == TlsPolicy.Verify, state.State.Settings);
    }
}

[GenerateSerializer, Alias("Sendarix.ProviderState")]
public sealed class ProviderState
{
    [Id(0)] public ProviderSettings? Settings { get; set; }
}
