using Microsoft.AspNetCore.Http.HttpResults;

namespace Sendarix.Dashboard;

/// <summary>What an API handler refused, as a sentence for the page (its problem details, or the fields it named).</summary>
internal static class ApiResults
{
    public static string? ProblemOf(object? result) => result switch
    {
        ValidationProblem v => string.Join(" ", v.ProblemDetails.Errors.SelectMany(e => e.Value)),
        ProblemHttpResult p => p.ProblemDetails.Detail ?? p.ProblemDetails.Title,
        _ => null,
    };
}
