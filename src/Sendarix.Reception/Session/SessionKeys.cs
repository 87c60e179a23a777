namespace Sendarix.Reception.Session;

/// <summary>Keys of what the relay keeps in a session's properties.</summary>
internal static class SessionKeys
{
    public const string TenantId = "sendarix:tenant";
    public const string HeloName = "sendarix:helo";

    /// <summary>The tenant's settings and limits as read at MAIL FROM, for the rest of the transaction.</summary>
    public const string Tenant = "sendarix:tenant-info";

    /// <summary>Recipients accepted in the current transaction (the library does not expose its own list here).</summary>
    public const string RecipientCount = "sendarix:rcpts";

    /// <summary>The sub-tenant the login's credential was issued for: every message of the session is that sub-tenant's.</summary>
    public const string CredentialSubtenant = "sendarix:credential-subtenant";

    /// <summary>The login's subaddress (<c>username+customer42</c>), as the client gave it: it names the session's sub-tenant.</summary>
    public const string Subaddress = "sendarix:subaddress";

    /// <summary>The transaction's sub-tenant as resolved at MAIL FROM (from the login's subaddress), when there is one.</summary>
    public const string Subtenant = "sendarix:subtenant";
}
