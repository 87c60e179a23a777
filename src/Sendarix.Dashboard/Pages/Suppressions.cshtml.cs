using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Sendarix.Api.Suppression;
using Sendarix.Contracts.Suppression;

namespace Sendarix.Dashboard.Pages;

/// <summary>A tenant's suppressed recipients: find by prefix, add, remove.</summary>
public sealed class SuppressionsModel(IGrainFactory grains, TimeProvider time) : DashboardPage
{
    public string? TenantId { get; private set; }

    public string? Search { get; private set; }

    public IReadOnlyList<SuppressedRecipient> Listed { get; private set; } = [];

    public string? Next { get; private set; }

    public string? Problem { get; private set; }

    public Task<IActionResult> OnGetAsync(string? tenant, string? search, string? next) => ShowAsync(tenant, search, next);

    public async Task<IActionResult> OnPostAddAsync(string? tenant, string? address)
    {
        if (TenantOf(tenant) is { } id)
        {
            Problem = ApiResults.ProblemOf((await SuppressionsApi.AddAsync(id, new AddSuppressionRequest(address?.Trim()), grains, time)).Result);
        }

        return await ShowAsync(tenant, null, null);
    }

    public async Task<IActionResult> OnPostRemoveAsync(string? tenant, string? address)
    {
        if (TenantOf(tenant) is { } id && address is not null)
        {
            Problem = ApiResults.ProblemOf((await SuppressionsApi.RemoveAsync(id, address, grains)).Result);
        }

        return await ShowAsync(tenant, null, null);
    }

    async Task<IActionResult> ShowAsync(string? tenant, string? search, string? next)
    {
        TenantId = TenantOf(tenant);
        Search = string.IsNullOrWhiteSpace(search) ? null : search.Trim();
        if (TenantId is null)
        {
            return Page();
        }

        var result = (await SuppressionsApi.ListAsync(TenantId, Search, 100, string.IsNullOrEmpty(next) ? null : next, grains)).Result;
        if (result is Ok<SuppressionPage> ok)
        {
            (Listed, Next) = (ok.Value!.Items, ok.Value.Next);
        }
        else
        {
            Problem ??= ApiResults.ProblemOf(result);
        }

        return Page();
    }
}
