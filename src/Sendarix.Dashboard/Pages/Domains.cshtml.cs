using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Sendarix.Api.Domains;
using Sendarix.Contracts.Domains;

namespace Sendarix.Dashboard.Pages;

/// <summary>A tenant's sender domains with the DNS records to publish and what DNS last said of each.</summary>
public sealed class DomainsModel(IGrainFactory grains) : DashboardPage
{
    public string? TenantId { get; private set; }

    public IReadOnlyList<DomainInfo> Domains { get; private set; } = [];

    public string? Problem { get; private set; }

    public Task<IActionResult> OnGetAsync(string? tenant) => ShowAsync(tenant);

    public async Task<IActionResult> OnPostAddAsync(string? tenant, string? domain)
    {
        if (TenantOf(tenant) is { } id)
        {
            Problem = ApiResults.ProblemOf((await DomainsApi.AddAsync(id, new AddDomainRequest(domain, null), grains)).Result);
        }

        return await ShowAsync(tenant);
    }

    public async Task<IActionResult> OnPostVerifyAsync(string? tenant, string? domain)
    {
        if (TenantOf(tenant) is { } id && domain is not null)
        {
            Problem = ApiResults.ProblemOf((await DomainsApi.VerifyAsync(id, domain, grains)).Result);
        }

        return await ShowAsync(tenant);
    }

    async Task<IActionResult> ShowAsync(string? tenant)
    {
        TenantId = TenantOf(tenant);
        if (TenantId is null)
        {
            return Page();
        }

        if ((await DomainsApi.ListAsync(TenantId, grains)).Result is not Ok<DomainInfo[]> ok)
        {
            return NotFound();
        }

        Domains = ok.Value!;
        return Page();
    }
}
