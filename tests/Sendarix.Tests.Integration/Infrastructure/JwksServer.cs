using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>
/// An OpenID Connect issuer on loopback for the relay's bearer logins: it serves its JSON Web Key Set (and a discovery
/// document naming it) and mints tokens in the test, signed with its current key. Rolling the keys over replaces the
/// current key, as an issuer's scheduled rotation does.
/// </summary>
internal sealed class JwksServer : IDisposable
{
    readonly HttpListener _listener = new();
    readonly int _port = Ports.Free();
    readonly Task _serving;
    int _fetches;

    public JwksServer()
    {
        Current = NewKey("key-1");
        _listener.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _listener.Start();
        _serving = ServeAsync();
    }

    /// <summary>The issuer as tokens name it; its discovery document is at its /.well-known/openid-configuration.</summary>
    public string Issuer => $"http://127.0.0.1:{_port}/issuer";

    public string JwksUrl => $"http://127.0.0.1:{_port}/issuer/keys";

    public RsaSecurityKey Current { get; private set; }

    /// <summary>How often the key set was fetched.</summary>
    public int Fetches => Volatile.Read(ref _fetches);

    /// <summary>Replaces the signing key: tokens are signed with the new one, and only it is published.</summary>
    public void RollOver(string keyId) => Current = NewKey(keyId);

    public static RsaSecurityKey NewKey(string keyId) => new(RSA.Create(2048)) { KeyId = keyId };

    /// <summary>A token for <paramref name="email"/>, valid from a minute ago for <paramref name="lifetime"/> (negative: already expired).</summary>
    public string Mint(string email, string audience, TimeSpan lifetime, RsaSecurityKey? key = null, string? issuer = null)
    {
        var now = DateTime.UtcNow;
        var notBefore = lifetime < TimeSpan.Zero ? now + lifetime - TimeSpan.FromMinutes(10) : now - TimeSpan.FromMinutes(1);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = now + lifetime,
            Claims = new Dictionary<string, object> { ["email"] = email, ["sub"] = "app-1" },
            SigningCredentials = new SigningCredentials(key ?? Current, SecurityAlgorithms.RsaSha256),
        });
    }

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

            object body;
            if (context.Request.Url!.AbsolutePath.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal))
            {
                body = new Dictionary<string, string> { ["issuer"] = Issuer, ["jwks_uri"] = JwksUrl };
            }
            else
            {
                Interlocked.Increment(ref _fetches);
                var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(Current.Rsa.ExportParameters(false)) { KeyId = Current.KeyId });
                body = new Dictionary<string, object>
                {
                    ["keys"] = new[] { new Dictionary<string, string> { ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = jwk.Kid, ["n"] = jwk.N, ["e"] = jwk.E } },
                };
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
