namespace Sendarix.Core.Spam;

/// <summary>What the relay does with a message its filter calls spam, per tenant and sub-tenant.</summary>
public enum SpamPolicy
{
    /// <summary>Not scanned.</summary>
    Off,

    /// <summary>Scanned, relayed with the verdict in its header (X-Spam-Status), whatever it is.</summary>
    Tag,

    /// <summary>Spam is accepted and held: not delivered until released through the API, deleted, or expired.</summary>
    Hold,

    /// <summary>Spam is refused at the end of data with 550 5.7.1; nothing is stored.</summary>
    Reject,
}

/// <summary>What the relay does when its filter is down or does not answer within the budget.</summary>
public enum SpamFailureMode
{
    /// <summary>Accept the message, marked unscanned.</summary>
    Open,

    /// <summary>Answer 451 4.7.1: the client tries again later.</summary>
    Closed,
}

/// <summary>The names the API and the configuration give policies.</summary>
public static class SpamPolicies
{
    public static IReadOnlyList<string> Names { get; } = [.. Enum.GetValues<SpamPolicy>().Select(Name)];

    public static string Name(SpamPolicy policy) => policy.ToString().ToLowerInvariant();

    public static bool TryParse(string? name, out SpamPolicy policy)
    {
        foreach (var p in Enum.GetValues<SpamPolicy>())
        {
            if (string.Equals(Name(p), name, StringComparison.OrdinalIgnoreCase))
            {
                policy = p;
                return true;
            }
        }

        policy = SpamPolicy.Off;
        return false;
    }
}
