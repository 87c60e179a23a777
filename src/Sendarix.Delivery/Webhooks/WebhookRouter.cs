using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendarix.Core.Events;
using Sendarix.Storage.Events;
using Sendarix.Storage.Webhooks;

namespace Sendarix.Delivery.Webhooks;

/// <summary>
/// Takes recorded events from the outbox and queues, for each of the tenant's enabled endpoints, the ones it asked
/// for (by type; only a recipient's first deferral when it said so). An outbox message is deleted only once every
/// endpoint's share is queued, so a crash repeats the routing (the same event ids again), never skips it.
/// </summary>
internal sealed partial class WebhookRouter(
    EventOutbox outbox,
    WebhookQueue deliveries,
    WebhookEndpointCache endpoints,
    IOptions<WebhookDispatchOptions> options,
    TimeProvider time,
    ILogger<WebhookRouter> logger) : BackgroundService
{
    const int ReceiveBatch = 32;
    static readonly TimeSpan VisibilityTimeout = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idlePolls = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            IReadOnlyList<OutboxMessage> messages;
            try
            {
                messages = await outbox.ReceiveAsync(ReceiveBatch, VisibilityTimeout, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogOutboxUnavailable(logger, ex);
                await Task.Delay(options.Value.MaxPollInterval, time, stoppingToken);
                continue;
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (messages.Count == 0)
            {
                await Task.Delay(WebhookPolling.Pause(idlePolls++, options.Value.MaxPollInterval), time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                continue;
            }

            idlePolls = 0;
            await Task.WhenAll(messages.Select(m => RouteAsync(m, stoppingToken)));
        }
    }

    async Task RouteAsync(OutboxMessage message, CancellationToken stoppingToken)
    {
        try
        {
            var sends = new List<Task>();
            foreach (var tenant in message.Events.GroupBy(e => e.TenantId))
            {
                foreach (var endpoint in (await endpoints.ListAsync(tenant.Key)).Where(e => e.Enabled))
                {
                    var wanted = tenant.Where(e => endpoint.Receives(e.Type) && !(endpoint.FirstDeferralOnly && e.Type == EventType.Deferred && e.Deferrals > 1)).ToList();
                    if (wanted.Count > 0)
                    {
                        sends.Add(deliveries.SendAsync(tenant.Key, endpoint.Id, wanted, CancellationToken.None));
                    }
                }
            }

            await Task.WhenAll(sends);
            await outbox.DeleteAsync(message, CancellationToken.None);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // Left in the outbox: it shows again after the visibility timeout and is routed again.
            LogRoutingFailed(logger, ex, message.Id);
        }
    }

    [LoggerMessage(EventId = 5001, EventName = "OutboxUnavailable", Level = LogLevel.Warning, Message = "The event outbox could not be read")]
    static partial void LogOutboxUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 5002, EventName = "EventRoutingFailed", Level = LogLevel.Warning,
        Message = "Events of outbox message {OutboxMessageId} could not be routed to webhooks; they will be routed again after the visibility timeout")]
    static partial void LogRoutingFailed(ILogger logger, Exception exception, string outboxMessageId);
}

/// <summary>Idle polling: soon after work, then less and less often, up to the configured interval.</summary>
internal static class WebhookPolling
{
    public static TimeSpan Pause(int idlePolls, TimeSpan max) => TimeSpan.FromMilliseconds(Math.Min(max.TotalMilliseconds, 10 << Math.Min(idlePolls, 10)));
}
