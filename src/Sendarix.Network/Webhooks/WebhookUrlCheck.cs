namespace Sendarix.Network.Webhooks;

/// <summary>A webhook URL in the form to store, or why it may not be used.</summary>
public sealed record WebhookUrlCheck(Uri? Url, string? Problem)
{
    public static WebhookUrlCheck Refused(string problem) => new(null, problem);
}
