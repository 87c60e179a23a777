namespace Sendarix.Storage.Tenants;

/// <summary>
/// Something that happened to a tenant outside any message, such as AUTH refused because of the credential's
/// network allowlist. Type names are stored: never rename one.
/// </summary>
public sealed record TenantEvent(string Type, DateTimeOffset Time, string? Username, string? RemoteAddress, string? Detail)
{
    public const string AuthRefusedNetwork = "auth_refused_network";
}
