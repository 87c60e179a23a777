using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Sendarix.Contracts.Webhooks;
using Sendarix.Core.Webhooks;

namespace Sendarix.Delivery.Webhooks;

/// <summary>
/// Tells each endpoint's grain how its deliveries go, so the grain can disable an endpoint that has failed for days
/// (the tenant is told by an event). Only changes are reported, and a run of failures once a minute (or a tenth of
/// DisableAfter, when that is shorter), so a busy endpoint costs no grain call per request.
/// </summary>
internal sealed class WebhookHealth(IGrainFactory grains, IOptions<WebhookOptions> options, TimeProvider time)
{
    // Often enough that an endpoint is disabled close to DisableAfter, however short that is set.
    readonly TimeSpan _failureReportInterval = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, options.Value.DisableAfter.Ticks / 10));

    readonly ConcurrentDictionary<string, (bool Delivered, DateTimeOffset At)> _reported = new(StringComparer.Ordinal);

    public async Task ReportAsync(string tenantId, string endpointId, bool delivered)
    {
        var key = $"{tenantId}/{endpointId}";
        var now = time.GetUtcNow();
        if (_reported.TryGetValue(key, out var last) && last.Delivered == delivered && (delivered || now - last.At < _failureReportInterval))
        {
            return;
        }

        _reported[key] = (delivered, now);
        await grains.GetGrain<IWebhookEndpointsGrain>(tenantId).RecordDeliveryAsync(endpointId, delivered, now);
    }

    /// <summary>The endpoint answered 410 Gone: disable it now.</summary>
    public Task GoneAsync(string tenantId, string endpointId, string url) =>
        grains.GetGrain<IWebhookEndpointsGrain>(tenantId).DisableAsync(endpointId, $"{url} answered 410 Gone");
}
