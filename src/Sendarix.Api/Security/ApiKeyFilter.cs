using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Sendarix.Contracts.Credentials;
using Sendarix.Core.Credentials;
using Sendarix.Core.Ids;

namespace Sendarix.Api.Security;

/// <summary>
/// Who may make a /v1 call. "Authorization: Bearer &lt;operator key&gt;" may make any. A tenant's API key
/// ("sxk_…", issued by the operator) may make the calls not marked <see cref="OperatorOnly"/>, and only about its own
/// tenant: another tenant's path, or a message of another tenant, is answered 404 exactly as if it did not exist.
/// Anything else is 401.
/// </summary>
internal sealed class ApiKeyFilter(OperatorKey operatorKey, IGrainFactory grains) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        var token = header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : "";
        if (token.Length > 0 && operatorKey.Matches(token))
        {
            return await next(context);
        }

        if (await TenantOfAsync(token) is not { } tenantId)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return TypedResultsProblem.Unauthorized();
        }

        if (http.GetEndpoint()?.Metadata.GetMetadata<OperatorOnly>() is not null)
        {
            return TypedResultsProblem.Forbidden("This call needs the operator key; a tenant's API key cannot make it.");
        }

        var routeTenant = http.GetRouteValue("tenantId") as string;
        var routeMessage = http.GetRouteValue("messageId") as string;
        if ((routeTenant is not null && routeTenant != tenantId)
            || (routeMessage is not null && (!MessageId.TryParse(routeMessage, out var id) || id.TenantId != tenantId)))
        {
            return TypedResultsProblem.NotFound(routeMessage is not null ? $"Message '{routeMessage}'" : $"Tenant '{routeTenant}'");
        }

        return await next(context);
    }

    /// <summary>The tenant of a valid, unrevoked API key, or null; a token not of the generated form is refused unread.</summary>
    async Task<string?> TenantOfAsync(string token)
    {
        if (!ApiKeyToken.TryParse(token, out var username, out var secret))
        {
            return null;
        }

        var record = await grains.GetGrain<ICredentialGrain>(username).GetAsync();
        return record is { Revoked: false } && record.Is(CredentialKind.Api) && SmtpCredentialSecret.Verify(secret, record.SecretHash)
            ? record.TenantId
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

/// <summary>Marks a call only the operator may make (creating tenants, limits, exemptions, API keys, complaints intake).</summary>
public sealed class OperatorOnly
{
    public static readonly OperatorOnly Instance = new();
}

public static class OperatorOnlyExtensions
{
    public static TBuilder RequireOperator<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(OperatorOnly.Instance);
}
