using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;
using Sendarix.Contracts.Credentials;

namespace Sendarix.Reception.Session;

/// <summary>
/// The signing keys of OAuth issuers: each issuer's JSON Web Key Set, from its jwksUrl or the jwks_uri of its OpenID
/// Connect discovery document, kept for an hour. A token signed with a key not in the set fetches it again (the
/// issuer rolled its keys over): once per key id and <see cref="KeyIdRetry"/>, and at most <see cref="MaxRefreshes"/>
/// times a minute per set, so forged key ids cannot make the relay hammer the issuer.
/// </summary>
internal sealed class JwksKeys(TimeProvider time) : IDisposable
{
    const int MaxRefreshes = 10;

    static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    static readonly TimeSpan KeyIdRetry = TimeSpan.FromMinutes(5);

    readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    readonly ConcurrentDictionary<string, (IReadOnlyList<SecurityKey> Keys, DateTimeOffset FetchedAt)> _sets = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, string> _discovered = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, DateTimeOffset> _triedKeyIds = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, ConcurrentQueue<DateTimeOffset>> _refreshes = new(StringComparer.Ordinal);

    /// <summary>
    /// The issuer's keys; with <paramref name="unknownKeyId"/> (a token's key id not among them), fetched again unless
    /// that key id or too many others already made them be fetched lately.
    /// </summary>
    public async Task<IReadOnlyList<SecurityKey>> GetAsync(OAuthIssuer issuer, string? unknownKeyId, CancellationToken cancellationToken)
    {
        var url = issuer.JwksUrl ?? await DiscoverAsync(issuer.Issuer, cancellationToken);
        var now = time.GetUtcNow();
        if (_sets.TryGetValue(url, out var set) && now - set.FetchedAt < Lifetime && (unknownKeyId is null || !MayRefresh(url, unknownKeyId, now)))
        {
            return set.Keys;
        }

        var json = await _http.GetStringAsync(url, cancellationToken);
        IReadOnlyList<SecurityKey> keys = new JsonWebKeySet(json).GetSigningKeys().ToList();
        _sets[url] = (keys, now);
        return keys;
    }

    bool MayRefresh(string url, string keyId, DateTimeOffset now)
    {
        if (_triedKeyIds.TryGetValue($"{url} {keyId}", out var tried) && now - tried < KeyIdRetry)
        {
            return false;
        }

        var recent = _refreshes.GetOrAdd(url, _ => new ConcurrentQueue<DateTimeOffset>());
        while (recent.TryPeek(out var oldest) && now - oldest > TimeSpan.FromMinutes(1))
        {
            recent.TryDequeue(out _);
        }

        if (recent.Count >= MaxRefreshes)
        {
            return false;
        }

        if (_triedKeyIds.Count > 10_000)
        {
            _triedKeyIds.Clear();
        }

        _triedKeyIds[$"{url} {keyId}"] = now;
        recent.Enqueue(now);
        return true;
    }

    async Task<string> DiscoverAsync(string issuer, CancellationToken cancellationToken)
    {
        if (_discovered.TryGetValue(issuer, out var known))
        {
            return known;
        }

        using var document = JsonDocument.Parse(await _http.GetStringAsync($"{issuer.TrimEnd('/')}/.well-known/openid-configuration", cancellationToken));
        var url = document.RootElement.TryGetProperty("jwks_uri", out var uri) && uri.GetString() is { } text ? text
            : throw new InvalidOperationException("The issuer's discovery document names no jwks_uri.");
        _discovered[issuer] = url;
        return url;
    }

    public void Dispose() => _http.Dispose();
}
