namespace Sendarix.Delivery.Webhooks;

/// <summary>
/// One endpoint's requests in flight on this node, at most <c>max</c>. A share of events with nothing under way may
/// wait a moment for a free request, as long as no more than <c>max</c> shares wait: a busy endpoint is served as
/// its requests come back, and a hanging one holds at most <c>max</c> requests and <c>max</c> waiting deliveries,
/// whose shares go back to the queue when the wait ends.
/// </summary>
internal sealed class EndpointGate(int max)
{
    readonly SemaphoreSlim _requests = new(max, max);
    int _waiting;

    public bool TryEnter() => _requests.Wait(0);

    public async Task<bool> EnterAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _waiting) > max)
        {
            Interlocked.Decrement(ref _waiting);
            return false;
        }

        try
        {
            return await _requests.WaitAsync(wait, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    public void Exit() => _requests.Release();
}
