namespace Sendarix.Storage.Tenants;

/// <summary>
/// Something that happened to a tenant outside any message: AUTH refused because of a credential's network
/// allowlist, sending paused for reputation or resumed by the operator. Type names are stored: never rename one.
/// </summary>
public sealed record TenantEvent(string Type, DateTimeOffset Time, string? Username, string? RemoteAddress, string? Detail)
{
    public const string AuthRefusedNetwork = "auth_refused_network";
    public const string Paused = "paused";
    public const string Resumed = "resumed";
}
