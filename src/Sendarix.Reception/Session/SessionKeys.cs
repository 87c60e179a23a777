namespace Sendarix.Reception.Session;

/// <summary>Keys of what the relay keeps in a session's properties.</summary>
internal static class SessionKeys
{
    public const string TenantId = "sendarix:tenant";
    public const string HeloName = "sendarix:helo";

    /// <summary>Recipients accepted in the current transaction (the library does not expose its own list here).</summary>
    public const string RecipientCount = "sendarix:rcpts";
}
