using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Sendarix.Api.Stats;
using Sendarix.Storage.Stats;

namespace Sendarix.Dashboard.Pages;

/// <summary>A tenant's last 24 hours and 30 days, and its reputation window, from the statistics the API serves.</summary>
public sealed class OverviewModel(StatsReader reader, IGrainFactory grains, TimeProvider time) : DashboardPage
{
    public string? TenantId { get; private set; }

    public StatsResponse? Hours { get; private set; }

    public StatsResponse? Days { get; private set; }

    public ReputationResponse? Reputation => Hours?.Reputation;

    public async Task<IActionResult> OnGetAsync(string? tenant, CancellationToken cancellationToken)
    {
        TenantId = TenantOf(tenant);
        if (TenantId is null)
        {
            return Page();
        }

        if ((await StatsApi.TenantAsync(TenantId, new StatsParameters(null, null, "hour", null), reader, grains, time, cancellationToken)).Result is not Ok<StatsResponse> hours
            || (await StatsApi.TenantAsync(TenantId, new StatsParameters(null, null, "day", null), reader, grains, time, cancellationToken)).Result is not Ok<StatsResponse> days)
        {
            return NotFound();
        }

        (Hours, Days) = (hours.Value, days.Value);
        return Page();
    }
}
