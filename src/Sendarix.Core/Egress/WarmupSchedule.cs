namespace Sendarix.Core.Egress;

/// <summary>
/// How much a new IP may send to each provider on each day of its warm-up: a daily cap that grows day by day until
/// the IP is warm. Mailbox providers judge a new IP by its first weeks; volume that grows slowly and steadily earns
/// reputation, a sudden flood gets blocked.
/// </summary>
public sealed record WarmupSchedule(IReadOnlyList<int> DailyCaps)
{
    /// <summary>A common schedule: 50 a day per provider on day 1, roughly doubling, warm after day 14.</summary>
    public static WarmupSchedule Default { get; } = new([50, 100, 200, 400, 800, 1500, 3000, 5000, 8000, 12000, 20000, 30000, 45000, 70000]);

    /// <summary>The cap per provider on the given day of warm-up (1 = the first day), or null once the IP is warm.</summary>
    public int? CapOn(int day) => day < 1 ? DailyCaps[0] : day <= DailyCaps.Count ? DailyCaps[day - 1] : null;

    /// <summary>Day of warm-up on <paramref name="date"/> for a warm-up that began on <paramref name="started"/> (1 on that day).</summary>
    public static int DayOf(DateOnly started, DateOnly date) => date.DayNumber - started.DayNumber + 1;
}
