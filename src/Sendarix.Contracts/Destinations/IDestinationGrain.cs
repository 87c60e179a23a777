namespace Sendarix.Contracts.Destinations;

/// <summary>
/// One delivery destination (a recipient domain). Owns the destination's back-off after connection-level
/// failures and the single reminder that releases its deferred recipients when they fall due, so a long
/// outage costs one reminder, not one per message.
/// </summary>
public interface IDestinationGrain : IGrainWithStringKey
{
    /// <summary>Until when the destination is backed off, or null when it may be tried now.</summary>
    Task<DateTimeOffset?> GetBackoffAsync();

    /// <summary>Records a failure to reach the destination at all and returns the back-off's end.</summary>
    Task<DateTimeOffset> ReportUnreachableAsync(string reason);

    /// <summary>
    /// Pauses the destination until <paramref name="until"/> after a temporary refusal of the whole attempt (it was
    /// reached and asked for less); unlike an outage this does not lengthen later back-offs.
    /// </summary>
    Task<DateTimeOffset> ReportDeferredAsync(string reason, DateTimeOffset until);

    Task ReportReachableAsync();

    /// <summary>Makes sure the reminder fires no later than <paramref name="due"/>.</summary>
    Task ScheduleAsync(DateTimeOffset due);

    Task<DestinationStatus> GetStatusAsync();

    /// <summary>
    /// The operator holds the destination (nothing is attempted; recipients are looked at again every reminder period
    /// and still expire at the end of their lifetime) or lets it go again.
    /// </summary>
    Task<DestinationStatus> SetPausedAsync(bool paused);
}
