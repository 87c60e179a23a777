namespace Sendarix.Api;

/// <summary>
/// How every paged list in the API pages: 'limit' items at most, and the page's 'next' passed back as 'next' for the
/// page after it (absent at the end). A cursor is opaque to clients; each list checks it has the form it made.
/// </summary>
public static class Paging
{
    public const int DefaultLimit = 50;

    public const int MaxLimit = 500;

    // Cursors are ids or keys the relay made: never longer than this.
    const int MaxCursorLength = 1024;

    /// <summary>What is wrong with a page request, by parameter.</summary>
    public static Dictionary<string, string[]> Problems(int? limit, string? next, int maxLimit = MaxLimit, Func<string, bool>? isCursor = null)
    {
        var problems = new Dictionary<string, string[]>();
        if (limit is < 1 || limit > maxLimit)
        {
            problems["limit"] = [$"Between 1 and {maxLimit}."];
        }

        if (next is not null && (next.Length is 0 or > MaxCursorLength || (isCursor is not null && !isCursor(next))))
        {
            problems["next"] = ["Pass the 'next' value of the previous page."];
        }

        return problems;
    }
}
