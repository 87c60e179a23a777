using System.Text.RegularExpressions;
using Sendarix.Core.Providers;
using Sendarix.Core.Routing;

namespace Sendarix.Core.Upstreams;

/// <summary>
/// A mail provider's SMTP relay as it publishes it: where to connect (STARTTLS on 587, the certificate verified), how to
/// log in, and how fast to send. <see cref="Host"/> may hold "{region}", filled from the route's region.
/// </summary>
/// <param name="Username">What the username must be when the provider fixes it (SendGrid's "apikey"); null: the account's own.</param>
/// <param name="Profile">Connections the cluster opens at once, messages per connection, and messages a minute.</param>
public sealed partial record UpstreamPreset(
    string Key,
    string Name,
    string Host,
    int Port,
    UpstreamAuthMechanism Mechanism,
    string? Username,
    ProviderProfile Profile)
{
    public bool NeedsRegion => Host.Contains("{region}", StringComparison.Ordinal);

    /// <summary>The host to connect to, its region filled in; null when the preset needs a region it does not serve.</summary>
    public HostPort? Endpoint(string? region)
    {
        if (!NeedsRegion)
        {
            return new HostPort(Host, Port);
        }

        return region is not null && RegionName().IsMatch(region) ? new HostPort(Host.Replace("{region}", region, StringComparison.Ordinal), Port) : null;
    }

    // An AWS region name ("us-east-1", "us-gov-west-1"); the list grows, so its form is checked, not its membership.
    [GeneratedRegex(@"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionName();
}

/// <summary>
/// The shipped presets. Hosts, ports and login rules are the providers' published SMTP settings; the throttles are their
/// published limits where there is one (Amazon SES's starting rate of one message a second, Office 365's 30 messages a
/// minute, SendGrid's 5,000 messages per connection), otherwise the relay's default profile; Office 365 also gets few
/// connections, since its limits are per mailbox. A route can set its own.
/// </summary>
public static class UpstreamPresets
{
    static readonly ProviderProfile Default = ProviderProfile.Defaults[Provider.Default] with { Tls = TlsPolicy.Verify };

    /// <summary>The scope of an app-only token for Exchange Online's SMTP (client credentials).</summary>
    public const string Office365Scope = "https://outlook.office365.com/.default";

    /// <summary>The throttle of a route that names its own hosts rather than a preset.</summary>
    public static readonly ProviderProfile CustomProfile = Default;

    public static readonly IReadOnlyList<UpstreamPreset> All =
    [
        new("sendgrid", "SendGrid", "smtp.sendgrid.net", 587, UpstreamAuthMechanism.Plain, "apikey", Default with { MessagesPerConnection = 5000 }),
        new("mailgun", "Mailgun (US)", "smtp.mailgun.org", 587, UpstreamAuthMechanism.Plain, null, Default),
        new("mailgun-eu", "Mailgun (EU)", "smtp.eu.mailgun.org", 587, UpstreamAuthMechanism.Plain, null, Default),
        new("amazon-ses", "Amazon SES", "email-smtp.{region}.amazonaws.com", 587, UpstreamAuthMechanism.Login, null, Default with { MessagesPerMinutePerIp = 60 }),
        new("postmark", "Postmark", "smtp.postmarkapp.com", 587, UpstreamAuthMechanism.Plain, null, Default),
        new("office365", "Microsoft 365 (Exchange Online)", "smtp.office365.com", 587, UpstreamAuthMechanism.XOAuth2, null,
            Default with { ConnectionsPerIp = 3, MessagesPerMinutePerIp = 30 }),
        new("google-workspace", "Google Workspace SMTP relay", "smtp-relay.gmail.com", 587, UpstreamAuthMechanism.Plain, null, Default),
        new("mandrill", "Mandrill (Mailchimp Transactional)", "smtp.mandrillapp.com", 587, UpstreamAuthMechanism.Plain, null, Default),
    ];

    public static UpstreamPreset? Find(string? key) => All.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.OrdinalIgnoreCase));
}
