using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sendarix.Core.Events;

/// <summary>
/// Event ids made from what the event is, not from when it was recorded: a step recorded twice (an attempt
/// repeated after a crash, a report received twice) keeps its id, which webhooks send as `webhook-id` so
/// consumers can drop the duplicate.
/// </summary>
public static class EventIds
{
    const string Prefix = "evt_";

    /// <summary>The event of a message's recipient at one step of its history.</summary>
    public static string ForRecipient(string messageId, int recipientIndex, int sequence, EventType type) =>
        Make(string.Create(CultureInfo.InvariantCulture, $"{messageId}/{recipientIndex}/{sequence}/{type}"));

    /// <summary>A tenant event: what happened, when, and to what (a credential, an endpoint), if anything.</summary>
    public static string ForTenant(string tenantId, EventType type, DateTimeOffset time, string? about = null) =>
        Make(string.Create(CultureInfo.InvariantCulture, $"{tenantId}/{type}/{time.UtcTicks}/{about}"));

    /// <summary>The id of a batch of events sent in one request: the same for the same events, so a retried batch keeps it.</summary>
    public static string ForBatch(IEnumerable<string> eventIds) => "evb_" + Make(string.Join(',', eventIds))[Prefix.Length..];

    public static bool IsWellFormed(string? id) => id is { Length: 30 } && id.StartsWith(Prefix, StringComparison.Ordinal);

    // 128 bits of SHA-256: no two different events meet by chance.
    static string Make(string identity) => Prefix + Base32.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(identity)).AsSpan(0, 16)).ToLowerInvariant();
}
