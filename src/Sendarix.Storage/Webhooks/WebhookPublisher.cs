using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Sendarix.Core.Webhooks;
using Sendarix.Storage.Events;

namespace Sendarix.Storage.Webhooks;

/// <summary>
/// Queues endpoints' events in shared writes, as acceptance commits messages: each caller waits until its events are
/// in the webhook queue, and callers that arrive while a write is under way, or within
/// <see cref="WebhookOptions.PublishInterval"/> of the last one, share the next. A write puts each tenant's events in
/// as few queue messages as fit (each event once, however many endpoints take it), so under load queue calls grow
/// with time, not with the delivery rounds that record events or the endpoints that receive them; when idle a
/// caller's events are written at once.
/// </summary>
public sealed class WebhookPublisher
{
    readonly WebhookQueue _queue;
    readonly TimeSpan _interval;
    readonly TimeProvider _time;
    readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    public WebhookPublisher(WebhookQueue queue, IOptions<WebhookOptions> options, TimeProvider time)
    {
        _queue = queue;
        _interval = options.Value.PublishInterval;
        _time = time;
        _ = Task.Run(WriteAsync);
    }

    public Task PublishAsync(string tenantId, IReadOnlyList<EventSubscription> subscriptions, CancellationToken cancellationToken)
    {
        var pending = new Pending(tenantId, subscriptions, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _pending.Writer.TryWrite(pending);
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    async Task WriteAsync()
    {
        long? lastWrite = null;
        while (await _pending.Reader.WaitToReadAsync())
        {
            if (lastWrite is { } last && _time.GetElapsedTime(last) is var since && since < _interval)
            {
                await Task.Delay(_interval - since, _time);
            }

            lastWrite = _time.GetTimestamp();
            var batch = new List<Pending>();
            while (_pending.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            try
            {
                await Task.WhenAll(batch.GroupBy(p => p.TenantId).Select(tenant => _queue.SendAsync(tenant.Key,
                    tenant.SelectMany(p => p.Subscriptions).GroupBy(s => s.EndpointId)
                        .Select(endpoint => new WebhookShare(endpoint.Key, 0, endpoint.SelectMany(s => s.Events).ToList())).ToList(),
                    CancellationToken.None)));
                batch.ForEach(p => p.Done.TrySetResult());
            }
            catch (Exception ex)
            {
                // Every caller of the write learns it failed, and records again: the same event ids, at-least-once.
                batch.ForEach(p => p.Done.TrySetException(ex));
            }
        }
    }

    sealed record Pending(string TenantId, IReadOnlyList<EventSubscription> Subscriptions, TaskCompletionSource Done);
}
