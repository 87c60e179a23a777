namespace Sendarix.Core.Routing;

/// <summary>One MX record: a host and its preference (lower is tried first).</summary>
public sealed record MxHost(string Host, int Preference);
