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
internal sealed partial class RefusedCallLog(ILogger<RefusedCallLog> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        if (logger.IsEnabled(LogLevel.Debug) && Unwrap(result) is IStatusCodeHttpResult { StatusCode: >= 400 and < 500 } refused)
        {
            var http = context.HttpContext;
            var reason = refused switch
            {
                ValidationProblem validation => string.Join(", ", validation.ProblemDetails.Errors.Keys),
                ProblemHttpResult problem => problem.ProblemDetails.Title,
                _ => null,
            };
            LogRefused(logger, http.Request.Method, (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText, refused.StatusCode, reason);
        }

        return result;
    }

    // Handlers answer Results<…>: the result actually sent is inside.
    static object? Unwrap(object? result) => result is INestedHttpResult nested ? Unwrap(nested.Result) : result;

    [LoggerMessage(EventId = 5001, EventName = "ApiCallRefused", Level = LogLevel.Debug,
        Message = "API call refused: {Method} {Route} answered {Status} ({Reason})")]
    static partial void LogRefused(ILogger logger, string method, string? route, int? status, string? reason);
}
