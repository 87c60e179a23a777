namespace Sendarix.Core.Routing;

/// <summary>How outbound connections use TLS.</summary>
public enum TlsPolicy
{
    /// <summary>STARTTLS when the server offers it; plaintext otherwise (RFC 3207 opportunistic TLS).</summary>
    Opportunistic,

    /// <summary>STARTTLS must succeed; otherwise the recipients are deferred, never sent in plaintext.</summary>
    Required,

    /// <summary>
    /// STARTTLS must succeed with a certificate that chains to a trusted root and names the host connected to (the MX
    /// host name); otherwise the recipients are deferred. What providers that require TLS get, and MTA-STS "enforce".
    /// </summary>
    Verify,
}

public static class TlsPolicies
{
    /// <summary>The stricter of two policies: a profile or MTA-STS can only raise what a route or MxTls asks for.</summary>
    public static TlsPolicy Strictest(TlsPolicy a, TlsPolicy b) => (TlsPolicy)Math.Max((int)a, (int)b);
}
