using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Sendarix.Api.Webhooks;
using Sendarix.Storage.Webhooks;

namespace Sendarix.Dashboard.Pages;

/// <summary>A tenant's webhook endpoints, each with its most recent delivery attempts.</summary>
public sealed class WebhooksModel(IGrainFactory grains, WebhookAttemptLog log) : DashboardPage
{
    const int RecentAttempts = 10;

    public string? TenantId { get; private set; }

    public IReadOnlyList<(WebhookEndpointResponse Endpoint, IReadOnlyList<WebhookAttemptResponse> Attempts)> Endpoints { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(string? tenant, CancellationToken cancellationToken)
    {
        TenantId = TenantOf(tenant);
        if (TenantId is null)
        {
            return Page();
        }

        if ((await WebhooksApi.ListAsync(TenantId, grains)).Result is not Ok<WebhookEndpointResponse[]> ok)
        {
            return NotFound();
        }

        var endpoints = new List<(WebhookEndpointResponse, IReadOnlyList<WebhookAttemptResponse>)>();
        foreach (var endpoint in ok.Value!)
        {
            var attempts = (await WebhookDeliveriesApi.ListAttemptsAsync(TenantId, endpoint.Id, RecentAttempts, null, log, grains, cancellationToken)).Result;
            endpoints.Add((endpoint, attempts is Ok<WebhookAttemptPage> page ? page.Value!.Items : []));
        }

        Endpoints = endpoints;
        return Page();
    }
}
