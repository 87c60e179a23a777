namespace Sendarix.Core.Egress;

/// <summary>An egress IP as the selector sees it for one provider at one moment.</summary>
/// <param name="Sendable">False for a cold or paused IP, or a warming one whose cap for the provider is used up today.</param>
/// <param name="DeprioritisedUntil">While in the future, the provider has throttled or blocked this IP.</param>
public sealed record EgressCandidate(string Address, int Tier, bool Sendable, DateTimeOffset? DeprioritisedUntil);

/// <summary>
/// Picks the IP of a pool to send from to one provider: the lowest tier that has a sendable IP not deprioritised by
/// that provider, and within it one at random (spreading volume and reputation). A cold IP, a paused one, or one whose
/// warm-up cap is reached is never picked, not even when every other IP is deprioritised: then nothing is sent until a
/// cool-down ends, since pushing on through a throttled IP only deepens the block.
/// </summary>
public static class EgressSelector
{
    public static EgressCandidate? Choose(IReadOnlyList<EgressCandidate> pool, DateTimeOffset now, Random random)
    {
        var usable = pool.Where(c => c.Sendable && !(c.DeprioritisedUntil > now)).ToList();
        if (usable.Count == 0)
        {
            return null;
        }

        var tier = usable.Min(c => c.Tier);
        var best = usable.Where(c => c.Tier == tier).ToList();
        return best[random.Next(best.Count)];
    }

    /// <summary>When the next deprioritised, otherwise sendable IP comes back, for a deferral's reason; null if none will.</summary>
    public static DateTimeOffset? NextReturn(IReadOnlyList<EgressCandidate> pool, DateTimeOffset now) =>
        pool.Where(c => c.Sendable && c.DeprioritisedUntil > now).Min(c => c.DeprioritisedUntil);
}
