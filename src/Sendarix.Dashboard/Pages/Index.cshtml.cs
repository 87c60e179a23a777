using Microsoft.AspNetCore.Mvc;

namespace Sendarix.Dashboard.Pages;

/// <summary>The operator starts at operations, a tenant at its overview.</summary>
public sealed class IndexModel : DashboardPage
{
    public IActionResult OnGet() => LocalRedirect(Caller.IsOperator ? "/dashboard/operator" : "/dashboard/overview");
}
