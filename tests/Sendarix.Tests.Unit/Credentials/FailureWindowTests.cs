using Sendarix.Core.Credentials;

namespace Sendarix.Tests.Unit;

public sealed class FailureWindowTests
{
    static readonly DateTimeOffset T0 = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    static readonly TimeSpan Window = TimeSpan.FromMinutes(10);
    static readonly TimeSpan Lockout = TimeSpan.FromMinutes(15);

    [Fact]
    public void Locks_out_at_the_limit_for_the_lockout_time()
    {
        var failures = new FailureWindow();
        Assert.Null(failures.RecordFailure(T0, 3, Window, Lockout));
        Assert.Null(failures.RecordFailure(T0.AddMinutes(1), 3, Window, Lockout));
        Assert.False(failures.IsLocked(T0.AddMinutes(2)));
        Assert.Equal(T0.AddMinutes(17), failures.RecordFailure(T0.AddMinutes(2), 3, Window, Lockout));
        Assert.True(failures.IsLocked(T0.AddMinutes(16)));
        Assert.False(failures.IsLocked(T0.AddMinutes(17)));
    }

    [Fact]
    public void Forgets_failures_older_than_the_window()
    {
        var failures = new FailureWindow();
        failures.RecordFailure(T0, 3, Window, Lockout);
        failures.RecordFailure(T0.AddMinutes(5), 3, Window, Lockout);
        Assert.Null(failures.RecordFailure(T0.AddMinutes(10), 3, Window, Lockout));
        Assert.False(failures.IsLocked(T0.AddMinutes(10)));
        Assert.NotNull(failures.RecordFailure(T0.AddMinutes(11), 3, Window, Lockout));
    }

    [Fact]
    public void Counts_again_from_zero_after_a_lockout()
    {
        var failures = new FailureWindow();
        failures.RecordFailure(T0, 2, Window, Lockout);
        failures.RecordFailure(T0, 2, Window, Lockout);
        var later = T0 + Lockout + TimeSpan.FromSeconds(1);
        Assert.Null(failures.RecordFailure(later, 2, Window, Lockout));
        Assert.False(failures.IsLocked(later));
    }
}
