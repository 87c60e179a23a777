using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Sendarix.Api.Tenants;
using Sendarix.Storage.Tenants;

namespace Sendarix.Dashboard.Pages.Operator;

/// <summary>Every tenant as it is now, a page at a time, with links to its views.</summary>
public sealed class TenantsModel(IGrainFactory grains, TenantDirectory directory) : DashboardPage
{
    public TenantPage? Listed { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? next, CancellationToken cancellationToken)
    {
        if ((await TenantsApi.ListAsync(100, next, grains, directory, cancellationToken)).Result is not Ok<TenantPage> ok)
        {
            return BadRequest();
        }

        Listed = ok.Value;
        return Page();
    }
}
