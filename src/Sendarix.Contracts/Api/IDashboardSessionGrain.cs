namespace Sendarix.Contracts.Api;

/// <summary>
/// One dashboard sign-in, keyed by a hash of the session token its cookie holds (the token itself is never stored):
/// who signed in and until when. Any API node can check it, so a browser may reach any node.
/// </summary>
public interface IDashboardSessionGrain : IGrainWithStringKey
{
    Task StartAsync(DashboardSession session);

    /// <summary>The session, or null when it never was, has ended or has expired.</summary>
    Task<DashboardSession?> GetAsync();

    Task EndAsync();
}

/// <summary>The operator (no tenant, no key) or a tenant through one of its API keys, and when the session ends.</summary>
[GenerateSerializer, Immutable, Alias("Sendarix.DashboardSession")]
public sealed record DashboardSession(
    [property: Id(0)] bool IsOperator,
    [property: Id(1)] string? TenantId,
    [property: Id(2)] string? KeyUsername,
    [property: Id(3)] DateTimeOffset ExpiresAt);
