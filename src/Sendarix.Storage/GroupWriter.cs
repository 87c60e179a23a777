using System.Threading.Channels;

namespace Sendarix.Storage;

/// <summary>
/// Group commit by time: each caller's items wait until they are written, and callers that arrive while a write is
/// under way, or within the interval of the last one, share the next write. Under load, storage calls grow with time
/// rather than with callers; when idle, a caller's items are written at once. A failed write fails every caller in
/// it, and each records again (what is written is idempotent).
/// </summary>
public sealed class GroupWriter<T>
{
    readonly Func<IReadOnlyList<T>, Task> _write;
    readonly TimeSpan _interval;
    readonly TimeProvider _time;
    readonly Channel<(IReadOnlyList<T> Items, TaskCompletionSource Done)> _pending =
        Channel.CreateUnbounded<(IReadOnlyList<T>, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });

    public GroupWriter(Func<IReadOnlyList<T>, Task> write, TimeSpan interval, TimeProvider time)
    {
        (_write, _interval, _time) = (write, interval, time);
        _ = Task.Run(WriteAsync);
    }

    public Task AddAsync(IReadOnlyList<T> items, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending.Writer.TryWrite((items, done));
        return done.Task.WaitAsync(cancellationToken);
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
            var callers = new List<TaskCompletionSource>();
            var items = new List<T>();
            while (_pending.Reader.TryRead(out var pending))
            {
                callers.Add(pending.Done);
                items.AddRange(pending.Items);
            }

            try
            {
                await _write(items);
                callers.ForEach(c => c.TrySetResult());
            }
            catch (Exception ex)
            {
                callers.ForEach(c => c.TrySetException(ex));
            }
        }
    }
}
