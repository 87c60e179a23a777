using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Sendarix.Api.Security;

/// <summary>Lets a request through only with "Authorization: Bearer &lt;operator key&gt;"; anything else is 401.</summary>
internal sealed class OperatorKeyFilter(OperatorKey key) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && key.Matches(header[scheme.Length..].Trim()))
        {
            return await next(context);
        }

        context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResultsProblem.Unauthorized();
    }
}

/// <summary>The operator key, kept only as a hash so comparisons take the same time whatever is presented.</summary>
public sealed class OperatorKey(string key)
{
    readonly byte[] _hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public bool Matches(string presented) =>
        CryptographicOperations.FixedTimeEquals(_hash, SHA256.HashData(Encoding.UTF8.GetBytes(presented)));
}
