using Sendarix.Core.Replies;

namespace Sendarix.Core.Sandbox;

/// <summary>
/// The mailbox simulator: addresses of the sandbox domain act out a delivery outcome without anything leaving the
/// relay, so a tenant can test how its integration handles each event. The local part names the outcome; a "+tag"
/// after it is ignored, so tests can use unique addresses ("bounce+order-42@…").
/// </summary>
public static class MailboxSimulator
{
    /// <summary>The simulator's domain unless <see cref="DomainSetting"/> names another.</summary>
    public const string DefaultDomain = "simulator.invalid";

    /// <summary>The one setting of the simulator's domain, read by delivery and by the front-ends (empty: no simulator).</summary>
    public const string DomainSetting = "Sendarix:Delivery:SandboxDomain";

    /// <summary>Every simulator address's local part, with what it does (listed in the README).</summary>
    public static readonly IReadOnlyDictionary<string, string> Addresses = new Dictionary<string, string>
    {
        ["success"] = "delivered",
        ["bounce"] = "bounced: 550 5.1.1, invalid_recipient (the address is not suppressed)",
        ["defer"] = "deferred with 421 4.3.2 on the first attempt, delivered on the retry",
        ["greylist"] = "deferred with 450 4.2.0 greylisting (try again in 30 seconds), delivered on the retry",
        ["timeout"] = "deferred on every attempt as a connection timeout, until it expires",
        ["blocked"] = "bounced: 550 5.7.1 blocklisted IP, spam_block",
        ["complaint"] = "delivered, then a complained event",
        ["suppressed"] = "suppressed, as if on the tenant's suppression list",
        ["toolarge"] = "bounced: 552 5.3.4, message_too_large",
    };

    /// <summary>
    /// What the simulated mailbox answers on this attempt (<paramref name="previousAttempts"/> made before), or a
    /// 550 5.1.1 naming the simulator's addresses when the local part is none of them.
    /// </summary>
    public static Simulation For(string localPart, int previousAttempts)
    {
        var plus = localPart.IndexOf('+');
        var name = (plus >= 0 ? localPart[..plus] : localPart).ToLowerInvariant();
        return name switch
        {
            "success" => Delivered(),
            "bounce" => new(new SmtpReply(550, "5.1.1 The email account that you tried to reach does not exist (simulated)")),
            "defer" => previousAttempts == 0 ? new(new SmtpReply(421, "4.3.2 Service not available, closing transmission channel (simulated)")) : Delivered(),
            "greylist" => previousAttempts == 0
                ? new(new SmtpReply(450, "4.2.0 Recipient address rejected: Greylisted, please try again in 30 seconds (simulated)"))
                : Delivered(),
            "timeout" => new(SmtpReply.ConnectionFailure("4.4.2 Connection to the simulated mailbox timed out (simulated)")),
            "blocked" => new(new SmtpReply(550, "5.7.1 Service unavailable; client host blocked using zen.spamhaus.org (simulated)")),
            "complaint" => Delivered() with { Complaint = true },
            "suppressed" => Delivered() with { Suppressed = true },
            "toolarge" => new(new SmtpReply(552, "5.3.4 Message size exceeds fixed maximum message size (simulated)")),
            _ => new(new SmtpReply(550, $"5.1.1 No such simulator address; use one of {string.Join(", ", Addresses.Keys)} (simulated)")),
        };
    }

    static Simulation Delivered() => new(new SmtpReply(250, "2.0.0 OK: delivered to the simulated mailbox"));
}

/// <summary>A simulated answer: the reply, or that the recipient acts as suppressed, or delivered then complained.</summary>
public sealed record Simulation(SmtpReply Reply, bool Suppressed = false, bool Complaint = false);
