using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>
/// Stands in for an Azure Key Vault: Kestrel over HTTPS on 127.0.0.1 (a certificate from <see cref="TestCa"/>)
/// speaking the part of the secrets REST API that Azure's SecretClient uses: list secrets' properties, get a
/// secret's latest version. As Key Vault does, a request without a valid bearer token gets 401 with the challenge
/// that names the token's authority and resource; a token must carry the vault's audience and be unexpired.
/// </summary>
internal sealed class KeyVaultStandIn : IAsyncDisposable
{
    public const string Audience = "https://vault.azure.net";

    readonly WebApplication _app;
    readonly ConcurrentDictionary<string, StoredSecret> _secrets = new(StringComparer.OrdinalIgnoreCase);
    readonly ConcurrentQueue<string> _read = new();
    int _challenged;
    int _listed;

    KeyVaultStandIn(WebApplication app, int port) => (_app, Uri) = (app, new Uri($"https://127.0.0.1:{port}/"));

    public Uri Uri { get; }

    /// <summary>The names of the secrets whose values were read, in order.</summary>
    public IReadOnlyList<string> Read => _read.ToArray();

    /// <summary>Requests answered with the 401 challenge (no token, or one the vault does not take).</summary>
    public int Challenged => Volatile.Read(ref _challenged);

    /// <summary>Requests that listed the secrets.</summary>
    public int Listed => Volatile.Read(ref _listed);

    public void Set(string name, string value, string? contentType = null, bool enabled = true) =>
        _secrets[name] = new StoredSecret(value, contentType, enabled, Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()));

    public static async Task<KeyVaultStandIn> StartAsync()
    {
        var certificate = TestCa.Issue("127.0.0.1");
        var port = Ports.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(certificate)));
        var app = builder.Build();
        var vault = new KeyVaultStandIn(app, port);
        app.Use(async (context, next) =>
        {
            if (!Authorized(context.Request.Headers.Authorization.ToString()))
            {
                Interlocked.Increment(ref vault._challenged);
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.Headers.WWWAuthenticate =
                    $"Bearer authorization=\"https://login.microsoftonline.com/{ManagedIdentityEndpoint.TenantId}\", resource=\"{Audience}\"";
                await context.Response.WriteAsJsonAsync(new { error = new { code = "Unauthorized", message = "AKV10000: Request is missing a Bearer or PoP token." } });
                return;
            }

            await next(context);
        });
        app.MapGet("/secrets", () =>
        {
            Interlocked.Increment(ref vault._listed);
            return Results.Json(new
            {
                value = vault._secrets.Select(s => new { id = $"{vault.Uri}secrets/{s.Key}", attributes = Attributes(s.Value), contentType = s.Value.ContentType }),
                nextLink = (string?)null,
            });
        });
        app.MapGet("/secrets/{name}/{version?}", (string name, string? version) =>
        {
            if (!vault._secrets.TryGetValue(name, out var secret) || !secret.Enabled || (version is { Length: > 0 } && version != secret.Version))
            {
                return Results.Json(new { error = new { code = "SecretNotFound", message = $"A secret with (name/id) {name} was not found in this key vault." } },
                    statusCode: StatusCodes.Status404NotFound);
            }

            vault._read.Enqueue(name);
            return Results.Json(new
            {
                value = secret.Value,
                id = $"{vault.Uri}secrets/{name}/{secret.Version}",
                attributes = Attributes(secret),
                contentType = secret.ContentType,
            });
        });
        await app.StartAsync();
        return vault;
    }

    static object Attributes(StoredSecret secret)
    {
        var created = DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeSeconds();
        return new { enabled = secret.Enabled, created, updated = created, recoveryLevel = "Recoverable+Purgeable" };
    }

    static bool Authorized(string authorization)
    {
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            var claims = ManagedIdentityEndpoint.Claims(authorization["Bearer ".Length..]);
            return claims.GetProperty("aud").GetString() == Audience
                && claims.GetProperty("exp").GetInt64() > DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    sealed record StoredSecret(string Value, string? ContentType, bool Enabled, string Version);
}
