using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Contracts.Credentials;
using Sendarix.Core.Credentials;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.Net;
using SmtpServer.Protocol;

namespace Sendarix.Reception.Session;

/// <summary>
/// AUTH PLAIN/LOGIN against the credential grains. What a front-end learns about a username is kept only for
/// <see cref="SmtpOptions.CredentialCacheDuration"/>, so a revocation reaches every front-end within that time.
/// </summary>
internal sealed partial class CredentialAuthenticator(
    IGrainFactory grains,
    IOptions<SmtpOptions> options,
    TimeProvider time,
    ILogger<CredentialAuthenticator> logger) : IUserAuthenticator
{
    readonly ConcurrentDictionary<string, (CredentialRecord? Record, long Expires)> _cache = new(StringComparer.Ordinal);

    public async Task<bool> AuthenticateAsync(ISessionContext context, string user, string password, CancellationToken cancellationToken)
    {
        var remote = context.Properties.TryGetValue(EndpointListener.RemoteEndPointKey, out var ep) ? ep?.ToString() : null;
        if (string.IsNullOrEmpty(user) || string.IsNullOrEmpty(password) || user.Length > 128)
        {
            LogFailed(logger, user, remote);
            return false;
        }

        var record = await LookupAsync(user);
        if (record is null || record.Revoked || !SmtpCredentialSecret.Verify(password, record.SecretHash))
        {
            LogFailed(logger, user, remote);
            return false;
        }

        context.Properties[SessionKeys.TenantId] = record.TenantId;
        return true;
    }

    async Task<CredentialRecord?> LookupAsync(string user)
    {
        var now = time.GetTimestamp();
        if (_cache.TryGetValue(user, out var cached) && cached.Expires > now)
        {
            return cached.Record;
        }

        CredentialRecord? record;
        try
        {
            record = await grains.GetGrain<ICredentialGrain>(user).GetAsync();
        }
        catch (Exception ex)
        {
            LogLookupFailed(logger, ex);
            throw new SmtpResponseException(SmtpReplies.AuthUnavailable);
        }

        var ttl = (long)(options.Value.CredentialCacheDuration.TotalSeconds * time.TimestampFrequency);
        _cache[user] = (record, now + ttl);
        if (_cache.Count > 100_000)
        {
            // A flood of made-up usernames must not grow the cache without bound.
            _cache.Clear();
        }

        return record;
    }

    [LoggerMessage(EventId = 1001, EventName = "AuthFailed", Level = LogLevel.Information,
        Message = "AUTH failed for username {Username} from {Remote}")]
    static partial void LogFailed(ILogger logger, string? username, string? remote);

    [LoggerMessage(EventId = 1002, EventName = "AuthLookupFailed", Level = LogLevel.Warning,
        Message = "Credential lookup failed; AUTH answered with a temporary failure")]
    static partial void LogLookupFailed(ILogger logger, Exception exception);
}
