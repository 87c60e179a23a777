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
}
