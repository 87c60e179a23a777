namespace Sendarix.Core.Routing;

/// <summary>Finds the static route for a recipient domain: an exact match first, then "*".</summary>
public sealed class RouteTable
{
    public const string Wildcard = "*";

    readonly Dictionary<string, Route> _routes;

    public RouteTable(IEnumerable<Route> routes)
    {
        _routes = new Dictionary<string, Route>(StringComparer.OrdinalIgnoreCase);
        foreach (var route in routes)
        {
            if (!_routes.TryAdd(route.Domain, route))
            {
                throw new ArgumentException($"The route for '{route.Domain}' is listed twice.", nameof(routes));
            }
        }
    }

    public Route? Find(string domain) =>
        _routes.TryGetValue(domain, out var route) || _routes.TryGetValue(Wildcard, out route) ? route : null;
}
