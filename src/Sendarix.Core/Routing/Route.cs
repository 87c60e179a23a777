namespace Sendarix.Core.Routing;

/// <summary>
/// A static route: mail for <see cref="Domain"/> ("*" for every domain) goes to these hosts, in order,
/// instead of the domain's MX hosts. The smarthost case, and how tests point domains at loopback.
/// </summary>
public sealed record Route(string Domain, IReadOnlyList<HostPort> Hosts, TlsPolicy Tls);
