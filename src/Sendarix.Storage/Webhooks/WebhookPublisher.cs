using System.Threading.Channels;
using Sendarix.Core.Events;

namespace Sendarix.Storage.Webhooks;

/// <summary>
/// Queues endpoints' events in shared writes, as acceptance commits messages: each caller waits until its events are
/// in the webhook queue, and callers that arrive while a write is under way share the next one. Under load a write
/// carries the events of many delivery rounds (up to 100 a queue message), so queue calls grow with endpoints, not
/// with the rounds that record events; when idle a caller's events are written at once.
/// </summary>
public sealed class WebhookPublisher
{
    readonly WebhookQueue _queue;
    readonly Channel<Pending> _pending = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });

    public WebhookPublisher(WebhookQueue queue)
    {
        _queue = queue;
        _ = Task.Run(WriteAsync);
    }

    public Task PublishAsync(string tenantId, string endpointId, IReadOnlyList<RelayEvent> events, CancellationToken cancellationToken)
    {
        var pending = new Pending(tenantId, endpointId, events, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        _pending.Writer.TryWrite(pending);
        return pending.Done.Task.WaitAsync(cancellationToken);
    }

    async Task WriteAsync()
    {
        while (await _pending.Reader.WaitToReadAsync())
        {
            var batch = new List<Pending>();
            while (_pending.Reader.TryRead(out var pending))
            {
                batch.Add(pending);
            }

            try
            {
                await Task.WhenAll(batch.GroupBy(p => (p.TenantId, p.EndpointId))
                    .Select(g => _queue.SendAsync(g.Key.TenantId, g.Key.EndpointId, g.SelectMany(p => p.Events).ToList(), CancellationToken.None)));
                batch.ForEach(p => p.Done.TrySetResult());
            }
            catch (Exception ex)
            {
                // Every caller of the write learns it failed, and records again: the same event ids, at-least-once.
                batch.ForEach(p => p.Done.TrySetException(ex));
            }
        }
    }

    sealed record Pending(string TenantId, string EndpointId, IReadOnlyList<RelayEvent> Events, TaskCompletionSource Done);
}
