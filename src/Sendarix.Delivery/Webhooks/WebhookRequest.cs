using Sendarix.Core.Webhooks;

namespace Sendarix.Delivery.Webhooks;

/// <summary>
/// One POST to an endpoint: its URL, the Standard Webhooks headers (the id stays the same across an event's
/// attempts, so receivers can drop duplicates) and the JSON body, one event or a batch as an array.
/// </summary>
public sealed record WebhookRequest(string Url, string WebhookId, DateTimeOffset Timestamp, string Signature, ReadOnlyMemory<byte> Body)
{
    /// <summary>A request signed with every one of <paramref name="secrets"/> (from the endpoint's grain).</summary>
    public static WebhookRequest Signed(string url, string webhookId, DateTimeOffset timestamp, ReadOnlyMemory<byte> body, IEnumerable<string> secrets) =>
        new(url, webhookId, timestamp, WebhookSignature.Sign(webhookId, timestamp, body.Span, secrets), body);
}
