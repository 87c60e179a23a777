namespace Sendarix.Reception.Protocol;

/// <summary>The limits one guarded connection enforces.</summary>
internal sealed record GuardLimits(int MaxCommandLineLength, long MaxMessageSize, TimeSpan IdleTimeout, TimeSpan TlsHandshakeTimeout);
