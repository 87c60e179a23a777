namespace Sendarix.Core.Routing;

/// <summary>How outbound connections use TLS.</summary>
public enum TlsPolicy
{
    /// <summary>STARTTLS when the server offers it; plaintext otherwise (RFC 3207 opportunistic TLS).</summary>
    Opportunistic,

    /// <summary>STARTTLS must succeed; otherwise the recipients are deferred, never sent in plaintext.</summary>
    Required,
}
