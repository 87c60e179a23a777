namespace Sendarix.Reception.Protocol;

/// <summary>
/// What the guard reads next from the client. The first four are lines, each given to the handler the state table
/// names for it; the others are octets the guard itself moves, or the end of the session.
/// </summary>
internal enum GuardState
{
    /// <summary>A command line: its verb picks the handlers.</summary>
    Command,

    /// <summary>The library answered AUTH PLAIN or LOGIN with 334: the next line is a SASL response for it.</summary>
    SaslResponse,

    /// <summary>The guard answered XOAUTH2 or OAUTHBEARER with an empty 334: the next line is the client's token.</summary>
    BearerResponse,

    /// <summary>The guard sent the bearer error challenge: the next line is the client's (dummy) answer.</summary>
    BearerErrorAnswer,

    /// <summary>The library answered DATA with 354: message data follows, up to CRLF.CRLF.</summary>
    Data,

    /// <summary>A BDAT command was taken: exactly its size in octets follows.</summary>
    Chunk,

    /// <summary>The library answered STARTTLS with 220: the TLS handshake follows, and nothing sent before it counts.</summary>
    TlsHandshake,

    /// <summary>The front-end drains: the session ends with 421 4.3.2.</summary>
    Drained,
}
