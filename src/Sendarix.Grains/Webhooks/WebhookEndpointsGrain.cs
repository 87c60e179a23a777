using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Contracts.Webhooks;
using Sendarix.Core;
using Sendarix.Core.Crypto;
using Sendarix.Core.Events;
using Sendarix.Core.Webhooks;
using Sendarix.Grains.Domains;
using Sendarix.Network.Webhooks;
using Sendarix.Storage.Events;

namespace Sendarix.Grains.Webhooks;

/// <summary>
/// A tenant's webhook endpoints. Each has an HMAC key, stored only encrypted (AES-256-GCM under the same
/// key-encryption key as DKIM private keys) and never logged. A URL is checked, DNS included, before anything is
/// changed, so a refused change leaves nothing behind.
/// </summary>
public sealed partial class WebhookEndpointsGrain(
    [PersistentState("webhooks", GrainStorage.Default)] IPersistentState<WebhookEndpointsState> state,
    WebhookUrlGuard guard,
    IOptions<WebhookOptions> options,
    IOptions<DomainOptions> keys,
    EventRecorder events,
    TimeProvider time,
    ILogger<WebhookEndpointsGrain> logger) : Grain, IWebhookEndpointsGrain
{
    /// <summary>Rotated keys still valid at once, beside the current one: rotating again drops the oldest.</summary>
    const int MaxRetiringKeys = 3;

    const int MaxReasonLength = 500;

    readonly KeyProtector _protector = new(keys.Value.KeyEncryptionKeyBytes());
    EventOutbox<WebhookEndpointsState> _outbox = null!;

    string TenantId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _outbox = new(this, state, events, e => RelayEvent.ForTenant(TenantId, e.Type, e.At, e.Detail, endpointId: e.EndpointId), logger);
        _outbox.RecordLater();
        return Task.CompletedTask;
    }

    public async Task<WebhookEndpointResult> CreateAsync(WebhookEndpointSettings settings)
    {
        var max = options.Value.MaxEndpointsPerTenant;
        if (state.State.Endpoints.Count >= max)
        {
            return WebhookEndpointResult.Refused(WebhookRefusal.TooManyEndpoints, $"A tenant has at most {max} webhook endpoints; delete one first.");
        }

        var check = await guard.CheckAsync(settings.Url, CancellationToken.None);
        if (check.Url is not { } url)
        {
            return WebhookEndpointResult.Refused(WebhookRefusal.InvalidUrl, check.Problem);
        }

        var key = WebhookSecret.NewKey();
        var now = time.GetUtcNow();
        var endpoint = new StoredWebhookEndpoint($"we_{Base32.Encode(RandomNumberGenerator.GetBytes(10)).ToLowerInvariant()}", url.AbsoluteUri,
            Names(settings.EventTypes), true, settings.FirstDeferralOnly, settings.Batch, Blank(settings.Description), now, now, null, null,
            _protector.Protect(key), []);
        await SaveAsync([.. state.State.Endpoints, endpoint]);
        LogCreated(logger, TenantId, endpoint.Id, url.IdnHost);
        return new WebhookEndpointResult(View(endpoint), Secret: WebhookSecret.Format(key));
    }

    public Task<IReadOnlyList<WebhookEndpoint>> ListAsync() =>
        Task.FromResult<IReadOnlyList<WebhookEndpoint>>(state.State.Endpoints.Select(View).ToList());

    public Task<WebhookEndpoint?> GetAsync(string endpointId) =>
        Task.FromResult(Find(endpointId) is { } endpoint ? View(endpoint) : null);

    public async Task<WebhookEndpointResult> UpdateAsync(string endpointId, WebhookEndpointChange change)
    {
        if (Find(endpointId) is not { } current)
        {
            return WebhookEndpointResult.Refused(WebhookRefusal.NotFound);
        }

        var url = current.Url;
        if (change.Url is not null)
        {
            var check = await guard.CheckAsync(change.Url, CancellationToken.None);
            if (check.Url is null)
            {
                return WebhookEndpointResult.Refused(WebhookRefusal.InvalidUrl, check.Problem);
            }

            url = check.Url.AbsoluteUri;
        }

        var enabled = change.Enabled ?? current.Enabled;
        var updated = current with
        {
            Url = url,
            EventTypes = change.EventTypes is { } types ? Names(types) : current.EventTypes,
            Enabled = enabled,
            FirstDeferralOnly = change.FirstDeferralOnly ?? current.FirstDeferralOnly,
            Batch = change.Batch ?? current.Batch,
            Description = change.Description is { } description ? Blank(description) : current.Description,
            UpdatedAt = time.GetUtcNow(),
            DisabledAt = enabled ? null : current.DisabledAt,
            DisabledReason = enabled ? null : current.DisabledReason,

            // Enabled again: its failures start counting afresh.
            FailingSince = enabled && !current.Enabled ? null : current.FailingSince,
        };
        await SaveAsync(Replace(updated));
        if (enabled && !current.Enabled)
        {
            LogEnabled(logger, TenantId, endpointId);
        }

        return new WebhookEndpointResult(View(updated));
    }

    public async Task<bool> DeleteAsync(string endpointId)
    {
        if (Find(endpointId) is null)
        {
            return false;
        }

        await SaveAsync(state.State.Endpoints.Where(e => e.Id != endpointId).ToList());
        LogDeleted(logger, TenantId, endpointId);
        return true;
    }

    public async Task<WebhookEndpointResult> RotateSecretAsync(string endpointId, TimeSpan? overlap)
    {
        if (Find(endpointId) is not { } current)
        {
            return WebhookEndpointResult.Refused(WebhookRefusal.NotFound);
        }

        var now = time.GetUtcNow();
        var keep = overlap ?? options.Value.SecretOverlap;
        keep = keep < TimeSpan.Zero ? TimeSpan.Zero : keep > WebhookOptions.MaxSecretOverlap ? WebhookOptions.MaxSecretOverlap : keep;
        var retiring = current.RetiringKeys.Where(k => k.ValidUntil > now);
        if (keep > TimeSpan.Zero)
        {
            retiring = retiring.Prepend(new RetiringKey(current.ProtectedKey, now + keep));
        }

        var key = WebhookSecret.NewKey();
        var updated = current with { ProtectedKey = _protector.Protect(key), RetiringKeys = retiring.Take(MaxRetiringKeys).ToList(), UpdatedAt = now };
        await SaveAsync(Replace(updated));
        LogRotated(logger, TenantId, endpointId, keep);
        return new WebhookEndpointResult(View(updated), Secret: WebhookSecret.Format(key), PreviousSecretValidUntil: keep > TimeSpan.Zero ? now + keep : null);
    }

    public Task<IReadOnlyList<string>?> GetSigningSecretsAsync(string endpointId)
    {
        if (Find(endpointId) is not { } endpoint)
        {
            return Task.FromResult<IReadOnlyList<string>?>(null);
        }

        var now = time.GetUtcNow();
        IReadOnlyList<string> secrets = [.. new[] { endpoint.ProtectedKey }.Concat(endpoint.RetiringKeys.Where(k => k.ValidUntil > now).Select(k => k.ProtectedKey))
            .Select(k => WebhookSecret.Format(_protector.Unprotect(k)))];
        return Task.FromResult<IReadOnlyList<string>?>(secrets);
    }

    public async Task<bool> DisableAsync(string endpointId, string reason)
    {
        if (Find(endpointId) is not { Enabled: true } current)
        {
            return false;
        }

        // Saved before its event is recorded, so that the event goes only to the endpoints still enabled.
        var now = time.GetUtcNow();
        var text = reason.Length > MaxReasonLength ? reason[..MaxReasonLength] : reason;
        await SaveAsync(Replace(current with { Enabled = false, DisabledAt = now, DisabledReason = text, UpdatedAt = now }),
            new PendingTenantEvent(EventType.EndpointDisabled, now, text, endpointId));
        LogDisabled(logger, TenantId, endpointId, text);
        await _outbox.RecordAsync();
        return true;
    }

    public async Task RecordDeliveryAsync(string endpointId, bool delivered, DateTimeOffset at)
    {
        if (Find(endpointId) is not { Enabled: true } current)
        {
            return;
        }

        if (delivered)
        {
            if (current.FailingSince is not null)
            {
                await SaveAsync(Replace(current with { FailingSince = null }));
            }

            return;
        }

        if (current.FailingSince is not { } since)
        {
            await SaveAsync(Replace(current with { FailingSince = at }));
        }
        else if (options.Value.Schedule.ShouldDisable(since, at))
        {
            await DisableAsync(endpointId, $"Every delivery has failed since {since:u}.");
        }
    }

    StoredWebhookEndpoint? Find(string endpointId) => state.State.Endpoints.FirstOrDefault(e => e.Id == endpointId);

    List<StoredWebhookEndpoint> Replace(StoredWebhookEndpoint updated) => state.State.Endpoints.Select(e => e.Id == updated.Id ? updated : e).ToList();

    /// <summary>
    /// Stores the new list, leaving rotated keys that have expired behind, with the event that tells of the change when
    /// there is one. The list is replaced, never changed in place, so interleaved reads see the old list or the new one;
    /// a failed write puts the old one back.
    /// </summary>
    async Task SaveAsync(List<StoredWebhookEndpoint> endpoints, PendingTenantEvent? told = null)
    {
        var now = time.GetUtcNow();
        var previous = state.State.Endpoints;
        var pending = state.State.PendingEvents;
        state.State.Endpoints = endpoints.Select(e => e.RetiringKeys.All(k => k.ValidUntil > now) ? e : e with { RetiringKeys = e.RetiringKeys.Where(k => k.ValidUntil > now).ToList() }).ToList();
        if (told is not null)
        {
            _outbox.Add(told);
        }

        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State.Endpoints = previous;
            state.State.PendingEvents = pending;
            throw;
        }
    }

    static WebhookEndpoint View(StoredWebhookEndpoint e) => new(e.Id, e.Url,
        e.EventTypes.Select(n => Enum.TryParse<EventType>(n, out var type) ? type : (EventType?)null).OfType<EventType>().ToList(),
        e.Enabled, e.FirstDeferralOnly, e.Batch, e.Description, e.CreatedAt, e.UpdatedAt, e.DisabledAt, e.DisabledReason);

    static List<string> Names(IEnumerable<EventType> types) => types.Distinct().Order().Select(t => t.ToString()).ToList();

    static string? Blank(string? text) => string.IsNullOrEmpty(text) ? null : text;

    // The host only: a URL's path or query may carry a token of the receiver's.
    [LoggerMessage(EventId = 3301, EventName = "WebhookEndpointCreated", Level = LogLevel.Information,
        Message = "Tenant {TenantId} added webhook endpoint {EndpointId} at {Host}")]
    static partial void LogCreated(ILogger logger, string tenantId, string endpointId, string host);

    [LoggerMessage(EventId = 3302, EventName = "WebhookEndpointDeleted", Level = LogLevel.Information,
        Message = "Tenant {TenantId} deleted webhook endpoint {EndpointId}")]
    static partial void LogDeleted(ILogger logger, string tenantId, string endpointId);

    [LoggerMessage(EventId = 3303, EventName = "WebhookSecretRotated", Level = LogLevel.Information,
        Message = "Webhook endpoint {EndpointId} of tenant {TenantId} has a new secret; the previous one stays valid for {Overlap}")]
    static partial void LogRotated(ILogger logger, string tenantId, string endpointId, TimeSpan overlap);

    [LoggerMessage(EventId = 3304, EventName = "WebhookEndpointDisabled", Level = LogLevel.Warning,
        Message = "Webhook endpoint {EndpointId} of tenant {TenantId} disabled: {Reason}")]
    static partial void LogDisabled(ILogger logger, string tenantId, string endpointId, string reason);

    [LoggerMessage(EventId = 3305, EventName = "WebhookEndpointEnabled", Level = LogLevel.Information,
        Message = "Webhook endpoint {EndpointId} of tenant {TenantId} enabled again")]
    static partial void LogEnabled(ILogger logger, string tenantId, string endpointId);
}
