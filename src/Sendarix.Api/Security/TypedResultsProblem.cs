using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Sendarix.Api.Security;

/// <summary>The API's error replies, all RFC 9457 problem details.</summary>
internal static class TypedResultsProblem
{
    public static ProblemHttpResult Unauthorized() =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
            detail: "Send the operator key or a tenant's API key as 'Authorization: Bearer <key>'.");

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail);

    public static ProblemHttpResult SearchOff() =>
        TypedResults.Problem(statusCode: StatusCodes.Status501NotImplemented, title: "Search is off",
            detail: "This relay keeps no message search (Sendarix:Search:Enabled is false); a message is still found by its id.");

    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"{what} does not exist.");
}
