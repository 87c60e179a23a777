using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>
/// Stands in for the managed identity endpoint of Azure App Service (and Container Apps): a loopback HTTP endpoint
/// named by IDENTITY_ENDPOINT that hands a token for the asked resource to callers presenting IDENTITY_HEADER, which
/// is how Azure.Identity's ManagedIdentityCredential finds and calls it. Its tokens are JWTs with Entra ID's issuer,
/// the resource as audience and an hour's lifetime, unsigned: Azurite's "--oauth basic" and the stand-in vault check
/// those claims, not a signature.
/// </summary>
internal sealed class ManagedIdentityEndpoint : IDisposable
{
    public const string TenantId = "72f988bf-0000-4000-8000-00000000abcd";

    readonly LoopbackJsonEndpoint _endpoint;
    readonly ConcurrentQueue<TokenRequest> _requests = new();

    public ManagedIdentityEndpoint()
    {
        _endpoint = new LoopbackJsonEndpoint(request => Task.FromResult(Answer(request)));
    }

    /// <summary>The secret a caller must send as X-IDENTITY-HEADER.</summary>
    public string Header { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>IDENTITY_ENDPOINT and IDENTITY_HEADER as the platform sets them for a process.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["IDENTITY_ENDPOINT"] = $"{_endpoint.BaseUrl}/msi/token",
        ["IDENTITY_HEADER"] = Header,
    };

    /// <summary>Every token request, in order.</summary>
    public IReadOnlyList<TokenRequest> Requests => _requests.ToArray();

    /// <summary>A token as the endpoint issues them, or with another audience or lifetime, for a test's own calls.</summary>
    public static string Token(string audience, TimeSpan lifetime)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["alg"] = "RS256", ["typ"] = "JWT" }));
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["aud"] = audience,
            ["iss"] = $"https://sts.windows.net/{TenantId}/",
            ["iat"] = now - 60,
            ["nbf"] = now - 60,
            ["exp"] = now + (long)lifetime.TotalSeconds,
            ["oid"] = "00000000-0000-4000-8000-0000000000aa",
            ["tid"] = TenantId,
        }));
        return $"{header}.{payload}.{Base64Url(RandomNumberGenerator.GetBytes(32))}";
    }

    /// <summary>The claims of a token, for a stand-in service's check.</summary>
    public static JsonElement Claims(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            throw new FormatException("Not a JWT.");
        }

        var payload = parts[1].Replace('-', '+').Replace('_', '/');
        payload += new string('=', (4 - payload.Length % 4) % 4);
        return JsonDocument.Parse(Convert.FromBase64String(payload)).RootElement.Clone();
    }

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    (HttpStatusCode, object) Answer(HttpListenerRequest http)
    {
        var query = http.QueryString;
        var request = new TokenRequest(query["resource"], query["client_id"], query["api-version"], http.Headers["X-IDENTITY-HEADER"] == Header);
        _requests.Enqueue(request);
        if (!request.HeaderValid || request.Resource is null)
        {
            return (HttpStatusCode.BadRequest,
                new Dictionary<string, string> { ["error"] = "invalid_request", ["error_description"] = "X-IDENTITY-HEADER or resource missing or wrong" });
        }

        var expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        return (HttpStatusCode.OK, new Dictionary<string, string?>
        {
            ["access_token"] = Token(request.Resource, TimeSpan.FromHours(1)),
            ["expires_on"] = expires.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["resource"] = request.Resource,
            ["token_type"] = "Bearer",
            ["client_id"] = request.ClientId,
        });
    }

    public void Dispose() => _endpoint.Dispose();
}

/// <summary>A token request to the stand-in managed identity endpoint.</summary>
internal sealed record TokenRequest(string? Resource, string? ClientId, string? ApiVersion, bool HeaderValid);
