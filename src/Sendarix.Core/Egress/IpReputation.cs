using System.Numerics;
using Sendarix.Core.Counting;
using Sendarix.Core.Bounces;
using Sendarix.Core.Replies;

namespace Sendarix.Core.Egress;

/// <summary>What one IP's attempts with one provider came to: counts of replies, and how often it was taken off.</summary>
/// <param name="Blocked">Replies that throttled or blocked the IP (an IP back-off classification), temporary or not.</param>
/// <param name="Deprioritisations">Times the provider's replies took the IP off for a cool-down.</param>
public readonly record struct IpOutcomes(int Delivered, int Deferred, int Bounced, int Blocked, int Deprioritisations)
    : IAdditionOperators<IpOutcomes, IpOutcomes, IpOutcomes>
{
    public int Attempts => Delivered + Deferred + Bounced + Blocked;

    /// <summary>The share of attempts the provider refused because of the IP: 0 is clean, 1 is blocked outright.</summary>
    public double BlockRate => Attempts == 0 ? 0 : (double)Blocked / Attempts;

    /// <summary>What the replies to one attempt say about the IP: each reply counted once, by its class and classification.</summary>
    public static IpOutcomes Of(IEnumerable<(SmtpReply Reply, BounceClassification? Why)> replies)
    {
        var counts = default(IpOutcomes);
        foreach (var (reply, why) in replies)
        {
            counts += reply.Class switch
            {
                ReplyClass.Success => new IpOutcomes(1, 0, 0, 0, 0),
                _ when why?.Action == BounceAction.BackOffIp => new IpOutcomes(0, 0, 0, 1, 0),
                ReplyClass.Permanent => new IpOutcomes(0, 0, 1, 0, 0),
                _ => new IpOutcomes(0, 1, 0, 0, 0),
            };
        }

        return counts;
    }

    public static IpOutcomes operator +(IpOutcomes a, IpOutcomes b) => new(a.Delivered + b.Delivered, a.Deferred + b.Deferred,
        a.Bounced + b.Bounced, a.Blocked + b.Blocked, a.Deprioritisations + b.Deprioritisations);
}

/// <summary>
/// An IP's reputation with one provider: its outcomes over the last 24 hours in hourly buckets. The cool-down rule
/// lives here too: a deprioritisation lasts the cool-down doubled for each one the same receiver imposed in the last
/// 24 hours (up to a ceiling), so a receiver that keeps refusing an IP sees less and less of it, and one that refused
/// it once long ago sees it again after the plain cool-down.
/// </summary>
public sealed class IpReputation
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    readonly SlidingCounts<IpOutcomes> _counts = new(Window, TimeSpan.FromHours(1));

    public void Record(DateTimeOffset now, IpOutcomes outcomes) => _counts.Add(now, outcomes);

    public IpOutcomes Totals(DateTimeOffset now) => _counts.Total(now);

    /// <summary>How long a deprioritisation lasts after <paramref name="earlier"/> others by the same receiver within the window.</summary>
    public static TimeSpan CoolDownAfter(int earlier, TimeSpan coolDown, TimeSpan ceiling)
    {
        var longest = ceiling > coolDown ? ceiling : coolDown;
        var length = coolDown;
        for (var i = 0; i < earlier && length < longest; i++)
        {
            length *= 2;
        }

        return length < longest ? length : longest;
    }

    /// <summary>The buckets by their hour, to keep across a restart.</summary>
    public IReadOnlyList<(DateTimeOffset Start, IpOutcomes Value)> Hours(DateTimeOffset now) => _counts.Buckets(now);

    /// <summary>Adds buckets saved earlier by <see cref="Hours"/>.</summary>
    public void Restore(IEnumerable<(DateTimeOffset Start, IpOutcomes Value)> saved) => _counts.Restore(saved);
}
