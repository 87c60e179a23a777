using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Sendarix.Contracts.Credentials;
using Sendarix.Core.Credentials;

namespace Sendarix.Api.Security;

/// <summary>
/// Who makes a call: the operator, or a tenant through one of its API keys. <see cref="Id"/> names the key (never
/// holds it): rate limits and idempotency records are kept per key.
/// </summary>
public sealed record ApiCaller(bool IsOperator, string? TenantId, string Id)
{
    public const string OperatorRole = "operator";
    public const string TenantRole = "tenant";
    const string TenantClaim = "sendarix:tenant";
    const string CallerClaim = "sendarix:caller";

    public static readonly ApiCaller Operator = new(true, null, "operator");

    public static ApiCaller Tenant(string tenantId, string keyUsername) => new(false, tenantId, $"key:{keyUsername}");

    public ClaimsPrincipal ToPrincipal(string scheme)
    {
        List<Claim> claims = [new(ClaimTypes.Role, IsOperator ? OperatorRole : TenantRole), new(CallerClaim, Id)];
        if (TenantId is not null)
        {
            claims.Add(new Claim(TenantClaim, TenantId));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme, CallerClaim, ClaimTypes.Role));
    }

    /// <summary>The caller an authenticated principal stands for, or null for anyone else.</summary>
    public static ApiCaller? Of(ClaimsPrincipal user) =>
        user.FindFirstValue(CallerClaim) is not { } id ? null
        : user.IsInRole(OperatorRole) ? Operator
        : user.FindFirstValue(TenantClaim) is { } tenant ? new ApiCaller(false, tenant, id)
        : null;

    /// <summary>
    /// The caller a presented key stands for, or null. A token not of an API key's form is refused unread, so what
    /// could name no credential never becomes a grain key.
    /// </summary>
    public static async Task<ApiCaller?> IdentifyAsync(string token, OperatorKey operatorKey, IGrainFactory grains)
    {
        if (token.Length == 0)
        {
            return null;
        }

        if (operatorKey.Matches(token))
        {
            return Operator;
        }

        if (!ApiKeyToken.TryParse(token, out var username, out var secret))
        {
            return null;
        }

        var record = await grains.GetGrain<ICredentialGrain>(username).GetAsync();
        return record is { Revoked: false } && record.Is(CredentialKind.Api) && SmtpCredentialSecret.Verify(secret, record.SecretHash)
            ? Tenant(record.TenantId, username)
            : null;
    }
}

/// <summary>The operator key, kept only as a hash so comparisons take the same time whatever is presented.</summary>
public sealed class OperatorKey(string key)
{
    readonly byte[] _hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public bool Matches(string presented) =>
        CryptographicOperations.FixedTimeEquals(_hash, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
}
