using System.Text.RegularExpressions;
using Sendarix.Core.Addressing;

namespace Sendarix.Core.Upstreams;

/// <summary>Which of a tenant's upstream routes takes a message, and what a route's name may be.</summary>
public static partial class UpstreamRouteRules
{
    public const int MaxRoutesPerTenant = 20;

    public const int MaxSenderDomains = 100;

    /// <summary>Lower-case letters, digits and hyphens, up to 40, starting with a letter or digit.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$", RegexOptions.CultureInvariant)]
    public static partial Regex Name();

    /// <summary>
    /// The route for mail from <paramref name="senderDomain"/>: one that lists the domain before one that lists no
    /// domain (the tenant's catch-all); among equals, the first by name. Null: the mail goes direct.
    /// </summary>
    public static T? Pick<T>(IEnumerable<T> routes, Func<T, string> name, Func<T, IReadOnlyList<string>> senderDomains, string? senderDomain) where T : class
    {
        var domain = senderDomain is { Length: > 0 } && DomainName.TryToAscii(senderDomain, out var ascii) ? ascii : null;
        T? catchAll = null;
        foreach (var route in routes.OrderBy(name, StringComparer.Ordinal))
        {
            var domains = senderDomains(route);
            if (domains.Count == 0)
            {
                catchAll ??= route;
            }
            else if (domain is not null && domains.Contains(domain, StringComparer.OrdinalIgnoreCase))
            {
                return route;
            }
        }

        return catchAll;
    }

    /// <summary>The domain of an envelope sender, or null for the null sender.</summary>
    public static string? SenderDomain(string from) => from.LastIndexOf('@') is var at and >= 0 ? from[(at + 1)..] : null;
}
