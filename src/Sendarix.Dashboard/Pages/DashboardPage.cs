using Microsoft.AspNetCore.Mvc.RazorPages;
using Sendarix.Api.Security;
using Sendarix.Core.Ids;

namespace Sendarix.Dashboard.Pages;

/// <summary>What every signed-in page knows: who is looking, and whose data the page shows.</summary>
public abstract class DashboardPage : PageModel
{
    public ApiCaller Caller => ApiCaller.Of(User) ?? throw new InvalidOperationException("The page was reached without a session.");

    /// <summary>
    /// The tenant a page shows: a tenant's own, whatever is asked; for the operator, the one named by 'tenant'
    /// (null when none or not a tenant id).
    /// </summary>
    public string? TenantOf(string? requested) =>
        Caller.TenantId ?? (requested is not null && TenantIds.IsValid(requested) ? requested : null);

    /// <summary>"?tenant=…" for the operator's links to a tenant's pages, nothing for a tenant.</summary>
    public string TenantQuery(string? tenantId, char separator = '?') =>
        Caller.IsOperator && tenantId is not null ? $"{separator}tenant={Uri.EscapeDataString(tenantId)}" : "";
}
