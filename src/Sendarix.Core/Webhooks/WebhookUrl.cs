using System.Diagnostics.CodeAnalysis;
using System.Net;
using Sendarix.Core.Addressing;

namespace Sendarix.Core.Webhooks;

/// <summary>
/// The form a webhook endpoint's URL must have: absolute, https (http only where the operator allows it), no user
/// name or password, a host name (in its A-label form) or an IP address that is public unless the operator allows
/// private ones. Whether a name resolves to public addresses is for DNS to say, at creation and again at every
/// connection.
/// </summary>
public static class WebhookUrl
{
    public const int MaxLength = 2000;

    const string HostProblem = "The URL's host must be a domain name such as example.com, or an IP address.";

    /// <summary>The URL in the form the relay stores and calls (the host in A-label form), or false with what is wrong.</summary>
    public static bool TryParse(string? text, bool allowHttp, bool allowPrivateAddresses, [NotNullWhen(true)] out Uri? url, out string problem)
    {
        url = null;
        problem = "";
        if (string.IsNullOrEmpty(text))
        {
            problem = "A URL such as https://example.com/webhooks is required.";
            return false;
        }

        if (text.Length > MaxLength)
        {
            problem = $"A URL has at most {MaxLength} characters.";
            return false;
        }

        if (text.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            problem = "A URL has no spaces or control characters.";
            return false;
        }

        // Without a scheme, "/path" and "//host/path" would be read as file URLs.
        if (!text.Contains("://", StringComparison.Ordinal) || !Uri.TryCreate(text, UriKind.Absolute, out var parsed))
        {
            problem = "An absolute URL such as https://example.com/webhooks is required.";
            return false;
        }

        if (parsed.Scheme != Uri.UriSchemeHttps && !(allowHttp && parsed.Scheme == Uri.UriSchemeHttp))
        {
            problem = allowHttp ? "The URL must begin with https:// or http://." : "The URL must begin with https://; this relay does not send webhooks over plain http.";
            return false;
        }

        if (parsed.UserInfo.Length > 0)
        {
            problem = "A URL may not carry a user name or password; verify the relay's requests by their signature.";
            return false;
        }

        if (parsed.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6)
        {
            // Uri has already read the odd IPv4 forms (2130706433, 0x7f.1, 0177.0.0.1) as the address they mean.
            var address = IPAddress.Parse(parsed.HostNameType == UriHostNameType.IPv6 ? parsed.Host[1..^1] : parsed.Host);
            var scope = AddressClassification.Classify(address);
            if (!allowPrivateAddresses && scope != AddressScope.Public)
            {
                problem = $"The host {address} is a {AddressClassification.Describe(scope)} address; webhooks go to public addresses only.";
                return false;
            }

            url = parsed;
            return true;
        }

        if (parsed.HostNameType != UriHostNameType.Dns || !DomainName.TryToAscii(parsed.IdnHost, out var host))
        {
            problem = HostProblem;
            return false;
        }

        // RFC 6761: names under "localhost" are the host itself, whatever DNS might say.
        var local = host == "localhost" || host.EndsWith(".localhost", StringComparison.Ordinal);
        if (local && !allowPrivateAddresses)
        {
            problem = $"The host {host} is the relay itself; webhooks go to public addresses only.";
            return false;
        }

        if (!local && !IsHostName(host))
        {
            problem = HostProblem;
            return false;
        }

        url = new UriBuilder(parsed) { Host = host }.Uri;
        return true;
    }

    // A name of two labels or more whose last label is not all digits, so "1.2.3.4.5" is not taken for a name.
    static bool IsHostName(string host)
    {
        var last = host[(host.LastIndexOf('.') + 1)..];
        return host.Contains('.') && !last.All(char.IsAsciiDigit);
    }
}
