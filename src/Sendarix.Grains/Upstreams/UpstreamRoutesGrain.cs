using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Contracts.Upstreams;
using Sendarix.Core.Crypto;
using Sendarix.Core.Upstreams;
using Sendarix.Grains.Domains;

namespace Sendarix.Grains.Upstreams;

/// <summary>
/// A tenant's upstream routes. A secret is encrypted (AES-256-GCM under the key-encryption key, like DKIM keys and
/// webhook secrets) before it is stored, and never logged.
/// </summary>
public sealed partial class UpstreamRoutesGrain(
    [PersistentState("upstreams", GrainStorage.Default)] IPersistentState<UpstreamRoutesState> state,
    IOptions<DomainOptions> keys,
    TimeProvider time,
    ILogger<UpstreamRoutesGrain> logger) : Grain, IUpstreamRoutesGrain
{
    readonly KeyProtector _protector = new(keys.Value.KeyEncryptionKeyBytes());

    string TenantId => this.GetPrimaryKeyString();

    public async Task<UpstreamRouteResult> PutAsync(string name, UpstreamRouteSettings settings)
    {
        var current = state.State.Routes.Find(r => r.Name == name);
        if (current is null && state.State.Routes.Count >= UpstreamRouteRules.MaxRoutesPerTenant)
        {
            return new UpstreamRouteResult(null, false, $"A tenant has at most {UpstreamRouteRules.MaxRoutesPerTenant} upstream routes; delete one first.");
        }

        var secret = settings.Secret is { Length: > 0 } given ? _protector.Protect(Encoding.UTF8.GetBytes(given)) : current?.ProtectedSecret;
        if (secret is null && settings.Mechanism != UpstreamAuthMechanism.None)
        {
            return new UpstreamRouteResult(null, false, $"A {settings.Mechanism} login needs a secret (password, API key or client secret).");
        }

        var now = time.GetUtcNow();

        // A route without a login keeps no secret from before.
        var stored = new StoredUpstreamRoute(name, settings with { Secret = null }, settings.Mechanism == UpstreamAuthMechanism.None ? null : secret,
            current?.CreatedAt ?? now, now);
        state.State.Routes = [.. state.State.Routes.Where(r => r.Name != name), stored];
        await state.WriteStateAsync();
        LogSaved(logger, TenantId, name, settings.Hosts.Count > 0 ? settings.Hosts[0] : "", settings.Mechanism.ToString());
        return new UpstreamRouteResult(View(stored), current is null, null);
    }

    public Task<IReadOnlyList<UpstreamRoute>> ListAsync() =>
        Task.FromResult<IReadOnlyList<UpstreamRoute>>(state.State.Routes.OrderBy(r => r.Name, StringComparer.Ordinal).Select(View).ToList());

    public Task<UpstreamRoute?> GetAsync(string name) =>
        Task.FromResult(state.State.Routes.Find(r => r.Name == name) is { } route ? View(route) : null);

    public async Task<bool> DeleteAsync(string name)
    {
        if (state.State.Routes.RemoveAll(r => r.Name == name) == 0)
        {
            return false;
        }

        await state.WriteStateAsync();
        LogDeleted(logger, TenantId, name);
        return true;
    }

    public Task<IReadOnlyList<UpstreamDeliveryRoute>> GetDeliveryRoutesAsync() =>
        Task.FromResult<IReadOnlyList<UpstreamDeliveryRoute>>(state.State.Routes.Select(r => new UpstreamDeliveryRoute(TenantId, r.Name,
            r.Settings with { Secret = r.ProtectedSecret is { } s ? Encoding.UTF8.GetString(_protector.Unprotect(s)) : null },
            r.UpdatedAt.UtcTicks)).ToList());

    static UpstreamRoute View(StoredUpstreamRoute r) => new(r.Name, r.Settings, r.ProtectedSecret is not null, r.CreatedAt, r.UpdatedAt);

    [LoggerMessage(EventId = 3401, EventName = "UpstreamRouteSaved", Level = LogLevel.Information,
        Message = "Tenant {TenantId} saved upstream route {Route} to {Host} ({Mechanism})")]
    static partial void LogSaved(ILogger logger, string tenantId, string route, string host, string mechanism);

    [LoggerMessage(EventId = 3402, EventName = "UpstreamRouteDeleted", Level = LogLevel.Information,
        Message = "Tenant {TenantId} deleted upstream route {Route}")]
    static partial void LogDeleted(ILogger logger, string tenantId, string route);
}
