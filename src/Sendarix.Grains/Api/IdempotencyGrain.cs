using Microsoft.Extensions.Options;
using Sendarix.Contracts.Api;
using Sendarix.Core.Crypto;
using Sendarix.Grains.Domains;

namespace Sendarix.Grains.Api;

/// <summary>
/// Keeps one Idempotency-Key's response for <see cref="Retention"/>, then deletes it (a reminder, so it is deleted
/// whether or not the key is used again). The request running now is known only to this activation: if its node
/// dies, a retry runs the request again, as it would had the first attempt never arrived.
/// </summary>
public sealed class IdempotencyGrain(
    [PersistentState("idempotency", GrainStorage.Default)] IPersistentState<IdempotencyState> state,
    IOptions<DomainOptions> keys,
    TimeProvider time) : Grain, IIdempotencyGrain, IRemindable
{
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    const string ExpireReminder = "expire";

    readonly KeyProtector _protector = new(keys.Value.KeyEncryptionKeyBytes());

    string? _running;

    public Task<IdempotencyDecision> BeginAsync(string fingerprint)
    {
        if (state.State.Fingerprint is { } kept && time.GetUtcNow() - state.State.CompletedAt < Retention)
        {
            return Task.FromResult(kept != fingerprint
                ? new IdempotencyDecision(IdempotencyOutcome.Mismatch)
                : new IdempotencyDecision(IdempotencyOutcome.Replay, new IdempotentResponse(state.State.StatusCode, state.State.ContentType,
                    state.State.Location, _protector.Unprotect(state.State.ProtectedBody!))));
        }

        if (_running is not null)
        {
            return Task.FromResult(new IdempotencyDecision(_running == fingerprint ? IdempotencyOutcome.InProgress : IdempotencyOutcome.Mismatch));
        }

        _running = fingerprint;
        return Task.FromResult(new IdempotencyDecision(IdempotencyOutcome.Run));
    }

    public async Task CompleteAsync(string fingerprint, IdempotentResponse response)
    {
        if (_running != fingerprint)
        {
            return;
        }

        state.State.Fingerprint = fingerprint;
        state.State.CompletedAt = time.GetUtcNow();
        state.State.StatusCode = response.StatusCode;
        state.State.ContentType = response.ContentType;
        state.State.Location = response.Location;
        state.State.ProtectedBody = _protector.Protect(response.Body);
        await state.WriteStateAsync();
        _running = null;
        await this.RegisterOrUpdateReminder(ExpireReminder, Retention, Retention);
    }

    public Task AbandonAsync(string fingerprint)
    {
        if (_running == fingerprint)
        {
            _running = null;
        }

        return Task.CompletedTask;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.Fingerprint is not null && time.GetUtcNow() - state.State.CompletedAt < Retention)
        {
            return;
        }

        await state.ClearStateAsync();
        if (await this.GetReminder(ExpireReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        DeactivateOnIdle();
    }
}
