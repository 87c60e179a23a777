namespace Sendarix.Tests.Integration.Infrastructure;

/// <summary>Waits on a condition, never on a fixed sleep: polls until it holds or the time is up.</summary>
internal static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        T last = default!;
        while (!cts.IsCancellationRequested)
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }

            try
            {
                await Task.Delay(100, cts.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        throw new TimeoutException($"Timed out after {timeout.TotalSeconds} s waiting for {what}; last value: {last}");
    }

    public static Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        GetAsync(condition, ok => ok, timeout, what);
}
