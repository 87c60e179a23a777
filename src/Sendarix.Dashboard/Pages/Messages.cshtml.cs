using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Sendarix.Api.Messages;
using Sendarix.Core.Search;
using Sendarix.Storage.Search;

namespace Sendarix.Dashboard.Pages;

/// <summary>Message search, with the API's filters and its checks (the API's own handler answers).</summary>
public sealed class MessagesModel(MessageSearch search, IGrainFactory grains) : DashboardPage
{
    public static IReadOnlyList<string> Statuses => RecipientStatus.Names;

    public string? TenantId { get; private set; }

    public MessageSearchParameters Filters { get; private set; } = new(null, null, null, null, null, null, null, null, null, null, null, null, null, null);

    public MessagePage? Found { get; private set; }

    public IDictionary<string, string[]> Problems { get; private set; } = new Dictionary<string, string[]>();

    public async Task<IActionResult> OnGetAsync(string? tenant, [FromQuery] MessageSearchParameters filters, CancellationToken cancellationToken)
    {
        TenantId = TenantOf(tenant);
        Filters = Blank(filters);
        if (TenantId is null)
        {
            return Page();
        }

        switch ((await MessagesApi.SearchAsync(TenantId, Filters, search, grains, cancellationToken)).Result)
        {
            case Ok<MessagePage> ok:
                Found = ok.Value;
                break;
            case ValidationProblem invalid:
                Problems = invalid.ProblemDetails.Errors;
                break;
            case ProblemHttpResult { StatusCode: StatusCodes.Status501NotImplemented } off:
                Problems = new Dictionary<string, string[]> { ["search"] = [off.ProblemDetails.Detail ?? off.ProblemDetails.Title ?? ""] };
                break;
            default:
                return NotFound();
        }

        return Page();
    }

    /// <summary>The same search, from the page after this one.</summary>
    public string NextLink(string next)
    {
        var query = Request.Query.Where(q => q.Key != "next").ToDictionary(q => q.Key, q => (string?)q.Value.ToString());
        query["next"] = next;
        return QueryHelpers.AddQueryString("/dashboard/messages", query);
    }

    // An empty field of the form is no filter.
    static MessageSearchParameters Blank(MessageSearchParameters f) => f with
    {
        Recipient = Value(f.Recipient), Domain = Value(f.Domain), Sender = Value(f.Sender), Subtenant = Value(f.Subtenant), MessageId = Value(f.MessageId), Subject = Value(f.Subject),
        Tag = Value(f.Tag), Metadata = Value(f.Metadata), Status = Value(f.Status), BounceCategory = Value(f.BounceCategory), Next = Value(f.Next),
    };

    static string? Value(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
