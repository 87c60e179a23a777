using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Sendarix.Api.Credentials;

namespace Sendarix.Dashboard.Pages;

/// <summary>A tenant's SMTP credentials: issue one (its password shown once), revoke one.</summary>
public sealed class CredentialsModel(IGrainFactory grains) : DashboardPage
{
    public string? TenantId { get; private set; }

    public IReadOnlyList<CredentialResponse> Credentials { get; private set; } = [];

    public IssuedCredentialResponse? Issued { get; private set; }

    public string? Problem { get; private set; }

    public Task<IActionResult> OnGetAsync(string? tenant) => ShowAsync(tenant);

    public async Task<IActionResult> OnPostIssueAsync(string? tenant, string? label)
    {
        if (TenantOf(tenant) is { } id)
        {
            var result = (await CredentialsApi.IssueAsync(id, new IssueCredentialRequest(string.IsNullOrWhiteSpace(label) ? null : label.Trim(), null), grains)).Result;
            Issued = (result as Created<IssuedCredentialResponse>)?.Value;
            Problem = ApiResults.ProblemOf(result);
        }

        return await ShowAsync(tenant);
    }

    public async Task<IActionResult> OnPostRevokeAsync(string? tenant, string? id)
    {
        if (TenantOf(tenant) is { } tenantId && id is not null)
        {
            Problem = ApiResults.ProblemOf((await CredentialsApi.RevokeAsync(tenantId, id, grains)).Result);
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

        if ((await CredentialsApi.ListAsync(TenantId, grains)).Result is not Ok<CredentialResponse[]> ok)
        {
            return NotFound();
        }

        Credentials = ok.Value!;
        return Page();
    }
}
