using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Web;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>
/// Stands in for an OAuth 2.0 token endpoint (Entra ID's /oauth2/v2.0/token) on loopback: the client-credentials grant
/// for one client id and secret, answered with a fresh opaque access token, or with Entra ID's invalid_client error.
/// </summary>
internal sealed class OAuthTokenEndpoint : IDisposable
{
    readonly HttpListener _listener = new();
    readonly int _port = Ports.Free();
    readonly ConcurrentDictionary<string, bool> _issued = new();
    readonly ConcurrentQueue<string> _scopes = new();
    readonly Task _serving;

    public OAuthTokenEndpoint(string clientId, string clientSecret)
    {
        ClientId = clientId;
        ClientSecret = clientSecret;
        _listener.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    public string ClientId { get; }

    /// <summary>The secret the endpoint takes; a test changes it as an administrator rotating it at the identity provider would.</summary>
    public string ClientSecret { get; set; }

    public string Url => $"http://127.0.0.1:{_port}/tenant-1/oauth2/v2.0/token";

    /// <summary>The scope of every request that got a token, in order.</summary>
    public IReadOnlyList<string> Scopes => _scopes.ToArray();

    /// <summary>Whether the endpoint issued this token and has not revoked it since.</summary>
    public bool Issued(string token) => _issued.ContainsKey(token);

    /// <summary>Revokes every token issued so far, as a changed client secret or a disabled app does.</summary>
    public void RevokeAll() => _issued.Clear();

    async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream);
            var form = HttpUtility.ParseQueryString(await reader.ReadToEndAsync());
            object body;
            if (form["grant_type"] != "client_credentials" || form["client_id"] != ClientId || form["client_secret"] != ClientSecret)
            {
                context.Response.StatusCode = (int)HttpStatusCode.Unauthorized;
                body = new Dictionary<string, string> { ["error"] = "invalid_client", ["error_description"] = "AADSTS7000215: Invalid client secret provided." };
            }
            else
            {
                var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
                _issued[token] = true;
                _scopes.Enqueue(form["scope"] ?? "");
                body = new Dictionary<string, object> { ["token_type"] = "Bearer", ["expires_in"] = 3599, ["access_token"] = token };
            }

            context.Response.ContentType = "application/json";
            await context.Response.OutputStream.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(body));
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }
}
