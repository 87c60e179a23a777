using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Sendarix.Contracts.Credentials;
using Sendarix.Contracts.Domains;
using Sendarix.Core.Addressing;
using Sendarix.Core.Caching;
using Sendarix.Core.Smtp;
using Sendarix.Reception.Protocol;

namespace Sendarix.Reception.Session;

/// <summary>
/// Validates a bearer token from SASL XOAUTH2 or OAUTHBEARER. The address the client logs in as names the tenant (its
/// domain must be one of the tenant's verified sender domains); the token must come from one of that tenant's
/// registered issuers: signed by the issuer's keys, with its issuer and audience, within its lifetime, and with the
/// registration's claim holding that same address. A valid token gets a one-time ticket for the registration's
/// credential. Tokens are never logged, only why one was refused.
/// </summary>
internal sealed partial class BearerLogin(
    IGrainFactory grains,
    JwksKeys jwks,
    BearerTickets tickets,
    IOptions<SmtpOptions> options,
    TimeProvider time,
    ILogger<BearerLogin> logger) : IBearerLogin
{
    // RFC 6750's error code for a token that is expired, revoked, malformed or otherwise not valid.
    const string InvalidToken = "invalid_token";

    static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    readonly ExpiringCache<DomainInfo?> _domains = new(time, options.Value.CredentialCacheDuration);
    readonly ExpiringCache<IReadOnlyList<OAuthIssuer>> _issuers = new(time, options.Value.CredentialCacheDuration);
    readonly JsonWebTokenHandler _handler = new();

    public async Task<BearerLoginResult> LoginAsync(BearerResponse response, CancellationToken cancellationToken)
    {
        var user = response.User;
        var at = user.LastIndexOf('@');
        if (at <= 0 || !DomainName.TryToAscii(user[(at + 1)..], out var domain))
        {
            return Refused(user, "the login name is not an address");
        }

        if (await _domains.GetOrAddAsync(domain, () => grains.GetGrain<IDomainGrain>(domain).GetAsync()) is not { Status: "verified" } owner)
        {
            return Refused(user, "the address's domain is no tenant's verified sender domain");
        }

        JsonWebToken jwt;
        try
        {
            jwt = _handler.ReadJsonWebToken(response.Token);
        }
        catch (ArgumentException)
        {
            return Refused(user, "the token is not a JWT");
        }

        var issuers = await _issuers.GetOrAddAsync(owner.TenantId, () => grains.GetGrain<IOAuthIssuersGrain>(owner.TenantId).ListAsync());
        var why = "the token's issuer is not registered for the tenant";
        foreach (var issuer in issuers.Where(i => i.Issuer == jwt.Issuer))
        {
            var result = await ValidateAsync(response.Token, issuer, null, cancellationToken);
            if (result.Exception is SecurityTokenSignatureKeyNotFoundException && jwt.Kid is { Length: > 0 } kid)
            {
                // A key the relay has not seen: the issuer may have rolled its keys over since they were fetched.
                result = await ValidateAsync(response.Token, issuer, kid, cancellationToken);
            }

            if (!result.IsValid)
            {
                why = $"{result.Exception?.GetType().Name ?? "not valid"} (issuer {issuer.Name})";
                continue;
            }

            var named = result.ClaimsIdentity.FindFirst(issuer.Claim)?.Value;
            if (!string.Equals(named, user, StringComparison.OrdinalIgnoreCase))
            {
                why = $"the token's {issuer.Claim} claim does not name the login address (issuer {issuer.Name})";
                continue;
            }

            var (ticketUser, ticketPassword) = tickets.Issue(issuer.CredentialUsername);
            LogAccepted(logger, user, owner.TenantId, issuer.Name);
            return new BearerLoginResult(Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{ticketUser}\0{ticketPassword}")), null);
        }

        return Refused(user, why);
    }

    async Task<TokenValidationResult> ValidateAsync(string token, OAuthIssuer issuer, string? unknownKeyId, CancellationToken cancellationToken)
    {
        IReadOnlyList<SecurityKey> keys;
        try
        {
            keys = await jwks.GetAsync(issuer, unknownKeyId, cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidOperationException or System.Text.Json.JsonException or ArgumentException)
        {
            LogKeysUnavailable(logger, issuer.Name, ex.GetType().Name);
            return new TokenValidationResult { IsValid = false, Exception = new SecurityTokenException("the issuer's keys could not be fetched") };
        }

        return await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = issuer.Issuer,
            ValidAudience = issuer.Audience,
            IssuerSigningKeys = keys,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = ClockSkew,
        });
    }

    BearerLoginResult Refused(string user, string why)
    {
        LogRefused(logger, user, why);
        return new BearerLoginResult(null, InvalidToken);
    }

    [LoggerMessage(EventId = 1011, EventName = "BearerAccepted", Level = LogLevel.Debug,
        Message = "Bearer token accepted for {User} of tenant {TenantId} (issuer {Issuer})")]
    static partial void LogAccepted(ILogger logger, string user, string tenantId, string issuer);

    [LoggerMessage(EventId = 1012, EventName = "BearerRefused", Level = LogLevel.Information,
        Message = "Bearer token refused for {User}: {Reason}")]
    static partial void LogRefused(ILogger logger, string user, string reason);

    [LoggerMessage(EventId = 1013, EventName = "BearerKeysUnavailable", Level = LogLevel.Warning,
        Message = "The signing keys of OAuth issuer {Issuer} could not be fetched ({Error})")]
    static partial void LogKeysUnavailable(ILogger logger, string issuer, string error);
}
