using System.Net;
using Microsoft.Extensions.Options;
using Sendarix.Core.Webhooks;
using Sendarix.Network.Dns;

namespace Sendarix.Network.Webhooks;

/// <summary>
/// Where webhooks may go. An endpoint's URL is checked when it is stored (its form, and that its host resolves, to
/// public addresses only), and every connection is checked again when it is made (<see cref="ResolveAsync"/>), since
/// what a name resolves to can change after it was stored: that is the defence against DNS rebinding. Names are
/// resolved through the relay's own DNS client, as for mail.
/// </summary>
public sealed class WebhookUrlGuard(DnsLookup dns, IOptions<WebhookOptions> options)
{
    public async Task<WebhookUrlCheck> CheckAsync(string? url, CancellationToken cancellationToken)
    {
        var rules = options.Value;
        if (!WebhookUrl.TryParse(url, rules.AllowHttp, rules.AllowPrivateAddresses, out var parsed, out var problem))
        {
            return WebhookUrlCheck.Refused(problem);
        }

        if (parsed.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            return new WebhookUrlCheck(parsed, null);
        }

        var (permitted, refused) = await ResolveAsync(parsed.IdnHost, cancellationToken);
        if (refused is { } address)
        {
            return WebhookUrlCheck.Refused(
                $"The host {parsed.IdnHost} resolves to {address}, a {AddressClassification.Describe(AddressClassification.Classify(address))} address; webhooks go to public addresses only.");
        }

        return permitted.Count == 0
            ? WebhookUrlCheck.Refused($"The host {parsed.IdnHost} has no address in DNS.")
            : new WebhookUrlCheck(parsed, null);
    }

    /// <summary>
    /// The host's addresses a connection may go to, and the first one it may not (null when none is refused, or the
    /// operator allows private addresses). An IP literal is its own address.
    /// </summary>
    public async Task<(IReadOnlyList<IPAddress> Permitted, IPAddress? Refused)> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var addresses = await dns.AddressesAsync(host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host, cancellationToken);
        if (options.Value.AllowPrivateAddresses)
        {
            return (addresses, null);
        }

        return (addresses.Where(AddressClassification.IsPublic).ToList(), addresses.FirstOrDefault(a => !AddressClassification.IsPublic(a)));
    }
}
