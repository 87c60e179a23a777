using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Contracts.Credentials;
using Sendarix.Core.Caching;
using Sendarix.Core.Credentials;
using Sendarix.Core.Diagnostics;
using Sendarix.Core.Events;
using Sendarix.Core.Subtenants;
using Sendarix.Storage.Events;
using Sendarix.Storage.Telemetry;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.Net;
using SmtpServer.Protocol;

namespace Sendarix.Reception.Session;

/// <summary>
/// AUTH PLAIN/LOGIN against the credential grains. Failures are counted per client address and per username across
/// all front-ends (auth throttle grains); past the limit AUTH from that source is refused with 454 for a while. A
/// credential limited to some networks fails, without a hint, from any other, and the tenant gets an event.
/// What a front-end learns about a username is kept only for <see cref="SmtpOptions.CredentialCacheDuration"/>, so a
/// revocation reaches every front-end within that time.
/// </summary>
internal sealed partial class CredentialAuthenticator(
    IGrainFactory grains,
    BearerTickets tickets,
    EventRecorder events,
    RelayMetrics metrics,
    IOptions<SmtpOptions> options,
    TimeProvider time,
    ILogger<CredentialAuthenticator> logger) : IUserAuthenticator
{
    readonly ExpiringCache<CredentialRecord?> _credentials = new(time, options.Value.CredentialCacheDuration);
    readonly RefusalTally _malformed = new(time, TimeSpan.FromMinutes(1));
    readonly RefusalTally _lockedOut = new(time, TimeSpan.FromMinutes(1));

    public async Task<bool> AuthenticateAsync(ISessionContext context, string user, string password, CancellationToken cancellationToken)
    {
        var remote = (context.Properties.TryGetValue(EndpointListener.RemoteEndPointKey, out var ep) ? ep as IPEndPoint : null)?.Address;

        // A bearer token the guard validated arrives as a one-time ticket for the credential it maps to: from here on
        // it is that credential's login (its lockout, revocation and networks), with the token in place of the secret.
        var bearer = tickets.TryRedeem(user, password, out var ticketed);
        string? subaddress = null;
        (user, subaddress) = bearer ? (ticketed, null) : SubtenantRules.SplitLogin(user);
        // A username that cannot be one the relay issued is a wrong credential like any other (535, counted against
        // the client's address), decided here: it never becomes a grain key and is never logged.
        var wellFormed = SmtpCredentialSecret.IsWellFormedUsername(user);
        var sources = new List<IAuthThrottleGrain> { grains.GetGrain<IAuthThrottleGrain>($"ip:{remote}") };
        if (wellFormed)
        {
            sources.Add(grains.GetGrain<IAuthThrottleGrain>($"user:{user}"));
        }

        if (await GuardAsync(() => Task.WhenAll(sources.Select(s => s.GetLockoutAsync()))) is var lockouts && lockouts.Any(l => l is not null))
        {
            // A locked-out source that keeps trying is the flood the lockout is for: a line a minute, with the count.
            if (_lockedOut.Count() is > 0 and var count)
            {
                LogLockedOut(logger, count, wellFormed ? user : null, remote?.ToString());
            }

            metrics.AuthFailed();
            throw new SmtpResponseException(SmtpReplies.AuthLockedOut);
        }

        var record = wellFormed && (bearer || SmtpCredentialSecret.IsWellFormedSecret(password)) ? await GuardAsync(() => LookupAsync(user)) : null;
        var valid = record is { Revoked: false } && record.Is(CredentialKind.Smtp) && (bearer || SmtpCredentialSecret.Verify(password, record.SecretHash));
        if (valid && NetworkAllowlist.TryParse(record!.AllowedNetworks, out var allowlist, out _) && !allowlist.Allows(remote))
        {
            valid = false;
            _ = RecordRefusedNetworkAsync(record, user, remote);
        }

        if (!valid)
        {
            metrics.AuthFailed();
            if (wellFormed)
            {
                LogFailed(logger, user, remote?.ToString());
            }
            else if (_malformed.Count() is > 0 and var malformed)
            {
                LogMalformed(logger, malformed, remote?.ToString());
            }

            var o = options.Value;
            await GuardAsync(() => Task.WhenAll(sources.Select(s => s.RecordFailureAsync(o.AuthFailureLimit, o.AuthFailureWindow, o.AuthLockout))));
            return false;
        }

        context.Properties[SessionKeys.TenantId] = record!.TenantId;
        if (record.Subtenant is not null)
        {
            context.Properties[SessionKeys.CredentialSubtenant] = record.Subtenant;
        }

        if (subaddress is not null)
        {
            // Checked at MAIL FROM, where a malformed or unknown sub-tenant gets a reply that says so.
            context.Properties[SessionKeys.Subaddress] = subaddress;
        }

        return true;
    }

    // The cluster could not be asked: a temporary failure, never a silent pass or a misleading 535.
    async Task<T> GuardAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception ex)
        {
            LogLookupFailed(logger, ex);
            throw new SmtpResponseException(SmtpReplies.AuthUnavailable);
        }
    }

    async Task RecordRefusedNetworkAsync(CredentialRecord record, string user, IPAddress? remote)
    {
        try
        {
            await events.RecordAsync([RelayEvent.ForTenant(record.TenantId, EventType.AuthRefusedNetwork, time.GetUtcNow(),
                $"credential {record.CredentialId} is limited to {string.Join(", ", record.AllowedNetworks ?? [])}", user, remote?.ToString())], CancellationToken.None);
        }
        catch (Exception ex)
        {
            LogEventNotRecorded(logger, ex);
        }
    }

    Task<CredentialRecord?> LookupAsync(string user) =>
        _credentials.GetOrAddAsync(user, () => grains.GetGrain<ICredentialGrain>(user).GetAsync());

    [LoggerMessage(EventId = 1001, EventName = "AuthFailed", Level = LogLevel.Information,
        Message = "AUTH failed for username {Username} from {Remote}")]
    static partial void LogFailed(ILogger logger, string? username, string? remote);

    [LoggerMessage(EventId = 1006, EventName = "AuthMalformed", Level = LogLevel.Information,
        Message = "AUTH refused {Count} time(s) for a username the relay never issues (latest from {Remote}); more are counted, not logged, for a minute")]
    static partial void LogMalformed(ILogger logger, long count, string? remote);

    [LoggerMessage(EventId = 1002, EventName = "AuthLookupFailed", Level = LogLevel.Warning,
        Message = "Credential lookup failed; AUTH answered with a temporary failure")]
    static partial void LogLookupFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1003, EventName = "AuthLockedOut", Level = LogLevel.Information,
        Message = "AUTH refused {Count} time(s) for too many failures (latest for username {Username} from {Remote}); more are counted, not logged, for a minute")]
    static partial void LogLockedOut(ILogger logger, long count, string? username, string? remote);

    [LoggerMessage(EventId = 1004, EventName = "TenantEventNotRecorded", Level = LogLevel.Warning,
        Message = "A refused AUTH could not be recorded as a tenant event")]
    static partial void LogEventNotRecorded(ILogger logger, Exception exception);
}
