using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Sendarix.Api;

/// <summary>
/// Logs each refused /v1 call once, at Debug, in one short line: the route's pattern (not the path sent), the status
/// and what was wrong (the problem's title, or the names of the fields refused). Never a value: what a client sends may
/// be anything, keys included, and a refusal is routine, not worth a stack trace or a warning.
/// </summary>
public sealed partial class RefusedCalls(ILogger<RefusedCalls> logger)
{
    public void Log(HttpContext http, int status, string? reason)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            LogRefused(logger, http.Request.Method, (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText, status, reason);
        }
    }

    [LoggerMessage(EventId = 5001, EventName = "ApiCallRefused", Level = LogLevel.Debug,
        Message = "API call refused: {Method} {Route} answered {Status} ({Reason})")]
    static partial void LogRefused(ILogger logger, string method, string? route, int? status, string? reason);
}

/// <summary>Logs the refusals a call's handler answers (authentication and authorization log their own).</summary>
internal sealed class RefusedCallLog(RefusedCalls refusals) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        if (Unwrap(result) is IStatusCodeHttpResult { StatusCode: >= 400 and < 500 and var status } refused)
        {
            var reason = refused switch
            {
                ValidationProblem validation => string.Join(", ", validation.ProblemDetails.Errors.Keys),
                ProblemHttpResult problem => problem.ProblemDetails.Title,
                _ => null,
            };
            refusals.Log(context.HttpContext, status, reason);
        }

        return result;
    }

    // Handlers answer Results<…>: the result actually sent is inside.
    static object? Unwrap(object? result) => result is INestedHttpResult nested ? Unwrap(nested.Result) : result;
}
