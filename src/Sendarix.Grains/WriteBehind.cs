namespace Sendarix.Grains;

/// <summary>
/// Saves a grain's state a short while after it changes instead of on every change: for counters that move with every
/// message, where a storage write each would cost more than the count is worth. A deactivation (a silo stopping, or
/// the grain idle) saves at once; a crash loses at most <see cref="Interval"/> of counts.
/// </summary>
internal sealed class WriteBehind(IGrainBase grain, Func<CancellationToken, Task> save)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    bool _dirty;
    IGrainTimer? _timer;

    public void Changed()
    {
        _dirty = true;
        _timer ??= grain.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(Interval, Interval) { KeepAlive = false });
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (!_dirty)
        {
            return;
        }

        _dirty = false;
        try
        {
            await save(cancellationToken);
        }
        catch
        {
            _dirty = true;
            throw;
        }
    }
}
