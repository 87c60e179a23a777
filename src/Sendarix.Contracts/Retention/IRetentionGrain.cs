namespace Sendarix.Contracts.Retention;

/// <summary>
/// One tenant's retention sweep, keyed by tenant id: on a reminder, deletes the tenant's messages, their search rows
/// and bodies, and its other events once they are older than its retention, never a message still queued or deferred.
/// </summary>
public interface IRetentionGrain : IGrainWithStringKey
{
    /// <summary>Starts the periodic sweep (idempotent).</summary>
    Task StartAsync();

    /// <summary>Sweeps now, and says what it deleted.</summary>
    Task<RetentionReport> SweepAsync();

    /// <summary>The last sweep's report, or null before the first.</summary>
    Task<RetentionReport?> LastAsync();
}

/// <summary>What one sweep did: what was past <see cref="Cutoff"/>, what it deleted and what it kept because it is still in delivery.</summary>
[GenerateSerializer, Immutable, Alias("Sendarix.RetentionReport")]
public sealed record RetentionReport(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] DateTimeOffset Cutoff,
    [property: Id(2)] int MessagesDeleted,
    [property: Id(3)] int MessagesKept,
    [property: Id(4)] int BodiesDeleted,
    [property: Id(5)] int TenantEventsDeleted);
