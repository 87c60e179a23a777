using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Sendarix.Contracts.Upstreams;

namespace Sendarix.Delivery.Transport;

/// <summary>
/// Access tokens for upstream routes that log in with XOAUTH2, from the OAuth 2.0 client-credentials grant (RFC 6749
/// section 4.4) at the route's token endpoint. A token is kept until shortly before it expires, per route and route
/// version, so a changed secret is used at once. Tokens and secrets are never logged.
/// </summary>
internal sealed class UpstreamTokens(TimeProvider time) : IDisposable
{
    // Renewed this long before the token's own expiry, so that no login is tried with a token about to lapse.
    static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);

    readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    readonly ConcurrentDictionary<string, (string Token, DateTimeOffset RenewAt)> _tokens = new(StringComparer.Ordinal);

    public async Task<string> GetAsync(UpstreamDeliveryRoute route, CancellationToken cancellationToken)
    {
        var key = Key(route);
        var now = time.GetUtcNow();
        if (_tokens.TryGetValue(key, out var cached) && cached.RenewAt > now)
        {
            return cached.Token;
        }

        var s = route.Settings;
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = s.ClientId ?? "",
            ["client_secret"] = s.Secret ?? "",
            ["scope"] = s.Scope ?? "",
        });
        HttpResponseMessage response;
        try
        {
            response = await _http.PostAsync(s.TokenUrl, form, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new UpstreamLoginException($"the token endpoint {new Uri(s.TokenUrl!).Host} could not be reached ({ex.HttpRequestError})");
        }

        using (response)
        {
            TokenResponse? token = null;
            try
            {
                token = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken);
            }
            catch (System.Text.Json.JsonException)
            {
                // Described below by the status alone.
            }

            if (!response.IsSuccessStatusCode || token?.AccessToken is not { Length: > 0 } accessToken)
            {
                // The error code and description say what is wrong (a bad secret, a missing consent) and hold no secret.
                throw new UpstreamLoginException($"the token endpoint answered {(int)response.StatusCode}" +
                                                 (token?.Error is { } error ? $" {error}: {Shorten(token.ErrorDescription)}" : ""));
            }

            var lifetime = TimeSpan.FromSeconds(token.ExpiresIn is > 0 ? token.ExpiresIn.Value : 3600);
            var renewAt = now + (lifetime > 2 * RenewBefore ? lifetime - RenewBefore : lifetime / 2);
            _tokens[key] = (accessToken, renewAt);
            return accessToken;
        }
    }

    /// <summary>The upstream refused the token: the next login gets a new one.</summary>
    public void Forget(UpstreamDeliveryRoute route) => _tokens.TryRemove(Key(route), out _);

    public void Dispose() => _http.Dispose();

    static string Key(UpstreamDeliveryRoute route) => $"{route.DestinationKey}|{route.Version}";

    static string Shorten(string? text) => text is null ? "" : text.Length > 200 ? text[..200] : text;

    sealed record TokenResponse(
        [property: JsonPropertyName("access_token")] string? AccessToken,
        [property: JsonPropertyName("expires_in"), JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)] int? ExpiresIn,
        [property: JsonPropertyName("error")] string? Error,
        [property: JsonPropertyName("error_description")] string? ErrorDescription);
}

/// <summary>An upstream route's login could not be made (no AUTH offered, no token); the mail is kept.</summary>
internal sealed class UpstreamLoginException(string reason) : Exception(reason);
