using System.Net;
using System.Security.Cryptography;
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
    readonly LoopbackJsonEndpoint _endpoint;
    int _fetches;

    public JwksServer()
    {
        Current = NewKey("key-1");
        _endpoint = new LoopbackJsonEndpoint(request => Task.FromResult(Answer(request)));
    }

    /// <summary>The issuer as tokens name it; its discovery document is at its /.well-known/openid-configuration.</summary>
    public string Issuer => $"{_endpoint.BaseUrl}/issuer";

    public string JwksUrl => $"{_endpoint.BaseUrl}/issuer/keys";

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

    (HttpStatusCode, object) Answer(HttpListenerRequest request)
    {
        if (request.Url!.AbsolutePath.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal))
        {
            return (HttpStatusCode.OK, new Dictionary<string, string> { ["issuer"] = Issuer, ["jwks_uri"] = JwksUrl });
        }

        Interlocked.Increment(ref _fetches);
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(Current.Rsa.ExportParameters(false)) { KeyId = Current.KeyId });
        return (HttpStatusCode.OK, new Dictionary<string, object>
        {
            ["keys"] = new[] { new Dictionary<string, string> { ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = jwk.Kid, ["n"] = jwk.N, ["e"] = jwk.E } },
        });
    }

    public void Dispose() => _endpoint.Dispose();
}
