using System.Diagnostics;

namespace Sendarix.Bench;

/// <summary>The run's phases as <see cref="Stopwatch"/> timestamps: warm-up from Start, measurement from MeasureStart to End.</summary>
internal sealed record Timeline(long Start, long MeasureStart, long End)
{
    public static Timeline From(long start, TimeSpan warmup, TimeSpan duration)
    {
        var measureStart = start + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        return new Timeline(start, measureStart, measureStart + (long)(duration.TotalSeconds * Stopwatch.Frequency));
    }
}
