namespace Sendarix.Core.Smtp;

/// <summary>
/// Markers for commands the guard replaced before the SMTP library saw them. The library answers each
/// replacement with a syntax error, which keeps replies in order; the rewriter then gives that reply its real text.
/// </summary>
public static class GuardVerbs
{
    /// <summary>A command line longer than the limit; its bytes were discarded.</summary>
    public const string LineTooLong = "!LONG";

    /// <summary>A PROXY protocol line from the client: never trusted.</summary>
    public const string Proxy = "!PROXY";

    /// <summary>AUTH before TLS: the credentials never reached the library.</summary>
    public const string AuthWithoutTls = "!AUTHPLAIN";

    /// <summary>A command refused because the front-end is draining; the connection closes after its reply.</summary>
    public const string Drain = "!DRAIN";

    /// <summary>The end of a message's data; its reply is the acceptance result.</summary>
    public const string EndOfData = ".";

    /// <summary>The line sent to the library in place of a refused command; unknown to it, so it answers 500.</summary>
    public const string Replacement = "XREFUSED";
}
