using Sendarix.Core.Routing;

namespace Sendarix.Core.Providers;

/// <summary>
/// How the relay sends to one mailbox provider from one egress IP: open connections at most, messages per connection
/// before a fresh one, messages per minute (null: no limit), and whether TLS is required (verified: the certificate
/// must be valid for the MX host).
/// </summary>
public sealed record ProviderProfile(int ConnectionsPerIp, int MessagesPerConnection, int? MessagesPerMinutePerIp, TlsPolicy Tls)
{
    /// <summary>
    /// The shipped profiles, after KumoMTA's published shaping defaults: the big providers take few connections per
    /// sending IP and insist on TLS; everyone else gets more connections and longer ones.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, ProviderProfile> Defaults = new Dictionary<string, ProviderProfile>
    {
        [Provider.Gmail] = new(5, 50, null, TlsPolicy.Verify),
        [Provider.Microsoft] = new(5, 50, null, TlsPolicy.Verify),
        [Provider.Yahoo] = new(5, 20, null, TlsPolicy.Verify),
        [Provider.ICloud] = new(5, 50, null, TlsPolicy.Verify),
        [Provider.Default] = new(10, 100, null, TlsPolicy.Opportunistic),
    };

    /// <summary>Every provider this relay knows, in a stable order.</summary>
    public static IEnumerable<string> Names => Defaults.Keys;

    /// <summary>This profile with the set fields of <paramref name="changes"/> in place of its own.</summary>
    public ProviderProfile With(ProviderProfileChange? changes) => changes is null ? this : new(
        changes.ConnectionsPerIp ?? ConnectionsPerIp,
        changes.MessagesPerConnection ?? MessagesPerConnection,
        changes.MessagesPerMinutePerIp ?? MessagesPerMinutePerIp,
        changes.RequireTls is { } required ? required ? TlsPolicy.Verify : TlsPolicy.Opportunistic : Tls);
}

/// <summary>Changes to a profile (from configuration or the API): a null field leaves the profile's value.</summary>
public sealed record ProviderProfileChange(
    int? ConnectionsPerIp = null,
    int? MessagesPerConnection = null,
    int? MessagesPerMinutePerIp = null,
    bool? RequireTls = null)
{
    /// <summary>The fields set outside what a profile may hold, with their bounds (the same for configuration and the API).</summary>
    public IEnumerable<(string Field, int Min, int Max)> OutOfBounds()
    {
        foreach (var (field, value, max) in new[]
                 {
                     (nameof(ConnectionsPerIp), ConnectionsPerIp, 1000),
                     (nameof(MessagesPerConnection), MessagesPerConnection, 100_000),
                     (nameof(MessagesPerMinutePerIp), MessagesPerMinutePerIp, 1_000_000),
                 })
        {
            if (value is < 1 || value > max)
            {
                yield return (field, 1, max);
            }
        }
    }
}
