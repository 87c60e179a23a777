using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Sendarix.Api.Security;

/// <summary>
/// Rate limits per key (ASP.NET Core's rate limiter, a token bucket per key): each tenant API key has its own, the
/// operator key one of its own when configured. A call over the limit gets 429 problem details with Retry-After.
/// The limiter runs after authentication, so only valid keys take tokens (anything else was refused before). The
/// buckets are each API node's own, so N nodes allow N times the rate (as connection limits are per front-end).
/// </summary>
internal static class ApiRateLimits
{
    public const string Policy = "per-key";

    public static IServiceCollection AddApiRateLimits(this IServiceCollection services, ApiOptions options) =>
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(Policy, http => KeyOf(http) switch
            {
                (null, _) => RateLimitPartition.GetNoLimiter("unlimited"),
                ("operator", _) when options.OperatorRequestsPerSecond == 0 => RateLimitPartition.GetNoLimiter("operator"),
                ("operator", var key) => Bucket(key, options.OperatorRequestsPerSecond, options.OperatorRequestsPerSecond * 5),
                (_, var key) => Bucket(key, options.TenantRequestsPerSecond, options.TenantBurst),
            });
            o.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)) : 1;
                var http = context.HttpContext;
                http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = http,
                    ProblemDetails = new ProblemDetails
                    {
                        Status = StatusCodes.Status429TooManyRequests,
                        Title = "Too many requests",
                        Detail = $"This key's rate limit is reached; try again in {retryAfter} s.",
                    },
                });
            };
        });

    static RateLimitPartition<string> Bucket(string key, int perSecond, int burst) =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    /// <summary>Whose bucket a call takes from: the operator's, a tenant key's, or none (a call refused before it gets here).</summary>
    static (string? Kind, string Key) KeyOf(HttpContext http) => ApiCaller.Of(http.User) switch
    {
        { IsOperator: true } => ("operator", "operator"),
        { } tenant => ("tenant", tenant.Id),
        null => (null, ""),
    };
}
