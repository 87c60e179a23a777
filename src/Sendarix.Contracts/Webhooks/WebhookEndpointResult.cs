namespace Sendarix.Contracts.Webhooks;

/// <summary>
/// The endpoint after a change, or why the change was refused (<see cref="Problem"/> says it in words). A creation or
/// a rotation carries the new signing secret, shown this once; a rotation also says until when the previous one is
/// still signed with.
/// </summary>
[GenerateSerializer, Immutable, Alias("Sendarix.WebhookEndpointResult")]
public sealed record WebhookEndpointResult(
    [property: Id(0)] WebhookEndpoint? Endpoint,
    [property: Id(1)] WebhookRefusal Refusal = WebhookRefusal.None,
    [property: Id(2)] string? Problem = null,
    [property: Id(3)] string? Secret = null,
    [property: Id(4)] DateTimeOffset? PreviousSecretValidUntil = null)
{
    public static WebhookEndpointResult Refused(WebhookRefusal refusal, string? problem = null) => new(null, refusal, problem);
}
