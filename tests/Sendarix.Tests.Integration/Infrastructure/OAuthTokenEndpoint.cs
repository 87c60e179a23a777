using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Web;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>
/// Stands in for an OAuth 2.0 token endpoint (Entra ID's /oauth2/v2.0/token) on loopback: the client-credentials grant
/// for one client id and secret, answered with a fresh opaque access token, or with Entra ID's invalid_client error.
/// </summary>
internal sealed class OAuthTokenEndpoint : IDisposable
{
    readonly LoopbackJsonEndpoint _endpoint;
    readonly ConcurrentDictionary<string, bool> _issued = new();
    readonly ConcurrentQueue<string> _scopes = new();

    public OAuthTokenEndpoint(string clientId, string clientSecret)
    {
        ClientId = clientId;
        ClientSecret = clientSecret;
        _endpoint = new LoopbackJsonEndpoint(AnswerAsync);
    }

    public string ClientId { get; }

    /// <summary>The secret the endpoint takes; a test changes it as an administrator rotating it at the identity provider would.</summary>
    public string ClientSecret { get; set; }

    public string Url => $"{_endpoint.BaseUrl}/tenant-1/oauth2/v2.0/token";

    /// <summary>The scope of every request that got a token, in order.</summary>
    public IReadOnlyList<string> Scopes => _scopes.ToArray();

    /// <summary>Whether the endpoint issued this token and has not revoked it since.</summary>
    public bool Issued(string token) => _issued.ContainsKey(token);

    /// <summary>Revokes every token issued so far, as a changed client secret or a disabled app does.</summary>
    public void RevokeAll() => _issued.Clear();

    async Task<(HttpStatusCode, object)> AnswerAsync(HttpListenerRequest request)
    {
        using var reader = new StreamReader(request.InputStream);
        var form = HttpUtility.ParseQueryString(await reader.ReadToEndAsync());
        if (form["grant_type"] != "client_credentials" || form["client_id"] != ClientId || form["client_secret"] != ClientSecret)
        {
            return (HttpStatusCode.Unauthorized,
                new Dictionary<string, string> { ["error"] = "invalid_client", ["error_description"] = "AADSTS7000215: Invalid client secret provided." });
        }

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
        _issued[token] = true;
        _scopes.Enqueue(form["scope"] ?? "");
        return (HttpStatusCode.OK, new Dictionary<string, object> { ["token_type"] = "Bearer", ["expires_in"] = 3599, ["access_token"] = token });
    }

    public void Dispose() => _endpoint.Dispose();
}
