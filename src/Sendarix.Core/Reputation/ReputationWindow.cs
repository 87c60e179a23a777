using System.Numerics;
using Sendarix.Core.Counting;

namespace Sendarix.Core.Reputation;

/// <summary>
/// A tenant's recent sends, hard bounces, complaints and messages its spam filter refused (rejected or held), in time
/// buckets over a sliding window, and the rule that pauses a tenant whose rates pass the thresholds once it has sent
/// enough for the rates to mean something, or whose mail was refused as spam too often.
/// </summary>
public sealed class ReputationWindow(TimeSpan window, int buckets = 168)
{
    readonly SlidingCounts<ReputationCounts> _counts = new(window, TimeSpan.FromTicks(Math.Max(1, window.Ticks / buckets)));

    public void Record(DateTimeOffset now, int sent, int bounced, int complained) => _counts.Add(now, new ReputationCounts(sent, bounced, complained, 0));

    /// <summary>Counts messages refused as spam (rejected at the end of data, or held).</summary>
    public void RecordSpam(DateTimeOffset now, int refused) => _counts.Add(now, new ReputationCounts(0, 0, 0, refused));

    public int SpamRefusals(DateTimeOffset now) => _counts.Total(now).Spam;

    public (int Sent, int Bounced, int Complained) Totals(DateTimeOffset now)
    {
        var total = _counts.Total(now);
        return (total.Sent, total.Bounced, total.Complained);
    }

    /// <summary>Why the tenant should be paused, or null.</summary>
    public string? PauseReason(DateTimeOffset now, ReputationThresholds thresholds)
    {
        var spam = SpamRefusals(now);
        if (spam >= thresholds.MaxSpamRefusals)
        {
            return $"{spam} messages refused as spam in the window, the limit being {thresholds.MaxSpamRefusals}";
        }

        var (sent, bounced, complained) = Totals(now);
        if (sent < thresholds.MinimumSends || sent == 0)
        {
            return null;
        }

        var bounceRate = (double)bounced / sent;
        var complaintRate = (double)complained / sent;
        if (bounceRate > thresholds.MaxBounceRate)
        {
            return $"bounce rate {Percent(bounceRate, 1)} over the last {sent} sends is above {Percent(thresholds.MaxBounceRate, 1)}";
        }

        return complaintRate > thresholds.MaxComplaintRate
            ? $"complaint rate {Percent(complaintRate, 2)} over the last {sent} sends is above {Percent(thresholds.MaxComplaintRate, 2)}"
            : null;
    }

    public void Clear() => _counts.Clear();

    /// <summary>The window's buckets by their start, to keep across a restart.</summary>
    public IEnumerable<(DateTimeOffset Start, int Sent, int Bounced, int Complained, int Spam)> Buckets(DateTimeOffset now) =>
        _counts.Buckets(now).Select(b => (b.Start, b.Value.Sent, b.Value.Bounced, b.Value.Complained, b.Value.Spam));

    /// <summary>Adds buckets saved earlier by <see cref="Buckets"/> (re-bucketed if the window has changed since).</summary>
    public void Restore(IEnumerable<(DateTimeOffset Start, int Sent, int Bounced, int Complained, int Spam)> saved) =>
        _counts.Restore(saved.Select(b => (b.Start, new ReputationCounts(b.Sent, b.Bounced, b.Complained, b.Spam))));

    static string Percent(double rate, int decimals) =>
        (rate * 100).ToString(decimals == 1 ? "0.0" : "0.00", System.Globalization.CultureInfo.InvariantCulture) + "%";

    readonly record struct ReputationCounts(int Sent, int Bounced, int Complained, int Spam) : IAdditionOperators<ReputationCounts, ReputationCounts, ReputationCounts>
    {
        public static ReputationCounts operator +(ReputationCounts a, ReputationCounts b) =>
            new(a.Sent + b.Sent, a.Bounced + b.Bounced, a.Complained + b.Complained, a.Spam + b.Spam);
    }
}

/// <summary>
/// When a tenant is paused: rates above these once it has sent at least <see cref="MinimumSends"/>, or
/// <see cref="MaxSpamRefusals"/> messages refused as spam in the window, however much it sent.
/// </summary>
public sealed record ReputationThresholds(int MinimumSends, double MaxBounceRate, double MaxComplaintRate, int MaxSpamRefusals = ReputationThresholds.DefaultMaxSpamRefusals)
{
    /// <summary>Ten spam messages a week is no accident: a compromised credential, or a customer sending spam.</summary>
    public const int DefaultMaxSpamRefusals = 10;

    /// <summary>The usual provider expectations: under 5% bounces and 0.1% complaints, judged over 500 sends or more.</summary>
    public static ReputationThresholds Default { get; } = new(500, 0.05, 0.001);
}
