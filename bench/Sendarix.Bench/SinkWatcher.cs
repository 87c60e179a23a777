using System.Diagnostics;

namespace Sendarix.Bench;

/// <summary>
/// Measures what reaches the sink behind the server. The count is read when the measured window opens and closes;
/// then, once the load has stopped, the sink is watched until every message accepted since the run began has arrived,
/// or the count stops moving for the idle time, or the drain limit passes.
/// </summary>
internal sealed class SinkWatcher(SinkCounter sink, Timeline timeline, BenchOptions options)
{
    static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    readonly long _before = sink.Read();

    public async Task<SinkReport> WatchAsync(Task<IReadOnlyList<WorkerStats>> load)
    {
        await DelayUntilAsync(timeline.MeasureStart);
        var (openCount, openAt) = (sink.Read(), Stopwatch.GetTimestamp());
        await DelayUntilAsync(timeline.End);
        var (closeCount, closeAt) = (sink.Read(), Stopwatch.GetTimestamp());

        var last = closeCount;
        var lastChange = closeAt;
        long? expected = null;
        while (true)
        {
            var now = Stopwatch.GetTimestamp();
            var count = sink.Read();
            if (count > last)
            {
                (last, lastChange) = (count, now);
            }

            if (expected is null && load.IsCompleted)
            {
                expected = _before + (await load).Sum(s => s.TotalAccepted);
            }

            if (expected is { } e && last >= e)
            {
                break;
            }

            var sinceClose = Stopwatch.GetElapsedTime(closeAt, now);
            if (sinceClose >= options.DrainMax || (expected is not null && Stopwatch.GetElapsedTime(lastChange, now) >= options.DrainIdle))
            {
                break;
            }

            await Task.Delay(Poll);
        }

        // The load finishes within its own time limit, so it has finished if the drain loop ran out first.
        expected ??= _before + (await load).Sum(s => s.TotalAccepted);
        return new SinkReport(
            WindowDelivered: closeCount - openCount,
            WindowSeconds: Stopwatch.GetElapsedTime(openAt, closeAt).TotalSeconds,
            Delivered: last - openCount,
            Seconds: Stopwatch.GetElapsedTime(openAt, lastChange).TotalSeconds,
            DrainSeconds: Stopwatch.GetElapsedTime(closeAt, lastChange).TotalSeconds,
            BacklogAtClose: Math.Max(0, expected.Value - closeCount),
            Undelivered: Math.Max(0, expected.Value - last));
    }

    static async Task DelayUntilAsync(long timestamp)
    {
        var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }
}
