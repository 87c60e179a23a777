using Microsoft.Extensions.Logging;
using Sendarix.Contracts.Credentials;
using Sendarix.Contracts.Domains;
using Sendarix.Contracts.Retention;
using Sendarix.Contracts.Tenants;
using Sendarix.Core.Credentials;
using Sendarix.Core.Events;
using Sendarix.Grains.Reputation;
using Sendarix.Storage.Events;
using Sendarix.Storage.Tenants;

namespace Sendarix.Grains.Tenants;

public sealed class TenantGrain(
    [PersistentState("tenant", GrainStorage.Default)] IPersistentState<TenantState> state,
    EventRecorder events,
    TenantDirectory directory,
    TimeProvider time,
    ILogger<TenantGrain> logger) : Grain, ITenantGrain
{
    EventOutbox<TenantState> _outbox = null!;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _outbox = new(this, state, events, e => RelayEvent.ForTenant(this.GetPrimaryKeyString(), e.Type, e.At, e.Detail), logger);
        _outbox.RecordLater();
        return state.State.Name is not null && !state.State.Listed ? ListAsync(cancellationToken) : Task.CompletedTask;
    }

    public async Task<TenantInfo> CreateAsync(string name)
    {
        if (state.State.Name is null)
        {
            state.State.Name = name;
            state.State.CreatedAt = time.GetUtcNow();
            await state.WriteStateAsync();
        }

        if (!state.State.Listed)
        {
            await ListAsync(CancellationToken.None);
        }

        return Info()!;
    }

    /// <summary>
    /// Writes the tenant's directory row, after its state (a listed tenant always exists), and starts its retention
    /// sweep: what a tenant needs once, done again until it is recorded as done.
    /// </summary>
    async Task ListAsync(CancellationToken cancellationToken)
    {
        await directory.AddAsync(this.GetPrimaryKeyString(), state.State.Name!, state.State.CreatedAt, cancellationToken);
        await GrainFactory.GetGrain<IRetentionGrain>(this.GetPrimaryKeyString()).StartAsync();
        state.State.Listed = true;
        await state.WriteStateAsync(cancellationToken);
    }

    public Task<TenantInfo?> GetAsync() => Task.FromResult(Info());

    public async Task<TenantInfo?> PauseAsync(string reason)
    {
        if (state.State.Name is null)
        {
            return null;
        }

        await Pause.PauseAsync(reason);
        return Info();
    }

    public async Task<TenantInfo?> ResumeAsync()
    {
        if (state.State.Name is null)
        {
            return null;
        }

        await Pause.ResumeAsync();
        return Info();
    }

    SendingPause<TenantState> Pause => new(state, GrainFactory.GetGrain<ITenantReputationGrain>(this.GetPrimaryKeyString()), _outbox, time);

    public async Task<TenantInfo?> SetLimitsAsync(SendingLimits limits)
    {
        if (state.State.Name is null)
        {
            return null;
        }

        state.State.Limits = limits;
        await state.WriteStateAsync();
        return Info();
    }

    public async Task<TenantInfo?> UpdateSettingsAsync(TenantSettingsChange change)
    {
        if (state.State.Name is null)
        {
            return null;
        }

        state.State.AllowUnverifiedSenders = change.AllowUnverifiedSenders ?? state.State.AllowUnverifiedSenders;
        state.State.AllowSubdomains = change.AllowSubdomains ?? state.State.AllowSubdomains;
        state.State.RejectSuppressedRecipients = change.RejectSuppressedRecipients ?? state.State.RejectSuppressedRecipients;
        state.State.Pool = change.Pool is null ? state.State.Pool : change.Pool.Length == 0 ? null : change.Pool;
        state.State.RetentionDays = change.RetentionDays is null ? state.State.RetentionDays : change.RetentionDays == 0 ? null : change.RetentionDays;
        state.State.DeliveryStatusNotifications = change.DeliveryStatusNotifications ?? state.State.DeliveryStatusNotifications;
        state.State.ImplicitSubtenants = change.ImplicitSubtenants ?? state.State.ImplicitSubtenants;
        state.State.MaxSubtenants = change.MaxSubtenants is null ? state.State.MaxSubtenants : change.MaxSubtenants == 0 ? null : change.MaxSubtenants;
        state.State.SpamFilter = change.SpamFilter is { } spam ? spam.Policy : state.State.SpamFilter;
        await state.WriteStateAsync();
        return Info();
    }

    public async Task<IssuedCredential?> IssueCredentialAsync(string? label, IReadOnlyList<string>? allowedNetworks, string kind, string? subtenant = null)
    {
        if (state.State.Name is null)
        {
            return null;
        }

        var secret = SmtpCredentialSecret.NewSecret();
        var networks = allowedNetworks is { Count: > 0 } ? allowedNetworks.ToList() : null;
        var credential = new CredentialInfo($"cr{Guid.NewGuid():N}"[..18], SmtpCredentialSecret.NewUsername(), label, time.GetUtcNow(), null, networks, kind, subtenant);

        // The credential works once its own grain has it; the tenant lists it after, so a listed credential always works.
        await GrainFactory.GetGrain<ICredentialGrain>(credential.Username)
            .InitializeAsync(new CredentialRecord(this.GetPrimaryKeyString(), credential.Id, SmtpCredentialSecret.Hash(secret), false, networks, kind, subtenant));
        state.State.Credentials.Add(credential);
        await state.WriteStateAsync();
        return new IssuedCredential(credential, secret);
    }

    public Task<IReadOnlyList<CredentialInfo>> ListCredentialsAsync() =>
        Task.FromResult<IReadOnlyList<CredentialInfo>>(state.State.Credentials.ToList());

    public async Task<bool> RevokeCredentialAsync(string credentialId)
    {
        var index = state.State.Credentials.FindIndex(c => c.Id == credentialId);
        if (index < 0)
        {
            return false;
        }

        var credential = state.State.Credentials[index];
        await GrainFactory.GetGrain<ICredentialGrain>(credential.Username).RevokeAsync();
        if (credential.RevokedAt is null)
        {
            state.State.Credentials[index] = credential with { RevokedAt = time.GetUtcNow() };
            await state.WriteStateAsync();
        }

        return true;
    }

    public async Task<DomainClaim?> AddDomainAsync(string domain, bool ed25519)
    {
        if (state.State.Name is null)
        {
            return null;
        }

        var claim = await GrainFactory.GetGrain<IDomainGrain>(domain).ClaimAsync(this.GetPrimaryKeyString(), ed25519);
        if (claim.Domain is not null && !state.State.Domains.Contains(domain))
        {
            state.State.Domains.Add(domain);
            await state.WriteStateAsync();
        }

        return claim;
    }

    public Task<IReadOnlyList<string>> ListDomainsAsync() => Task.FromResult<IReadOnlyList<string>>(state.State.Domains.ToList());

    TenantInfo? Info() => state.State.Name is null ? null
        : new TenantInfo(this.GetPrimaryKeyString(), state.State.Name, state.State.CreatedAt, state.State.AllowUnverifiedSenders, state.State.Limits,
            state.State.PausedReason, state.State.PausedAt, state.State.AllowSubdomains, state.State.RejectSuppressedRecipients, state.State.Pool,
            state.State.RetentionDays, state.State.DeliveryStatusNotifications, state.State.ImplicitSubtenants, state.State.MaxSubtenants,
            state.State.SpamFilter);
}
