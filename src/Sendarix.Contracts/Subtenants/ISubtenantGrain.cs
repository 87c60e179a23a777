namespace Sendarix.Contracts.Subtenants;

/// <summary>
/// A sub-tenant: one of a platform tenant's own customers, with its own reputation window and pause, so one customer's
/// bounces stop that customer's mail only. Keyed <see cref="Key"/>: the tenant id, then the sub-tenant id.
/// </summary>
public interface ISubtenantGrain : IGrainWithStringKey
{
    /// <summary>
    /// The key of a sub-tenant's grains (its record, reputation window, quota and own suppression list): the tenant id
    /// and the sub-tenant id joined by ':', which neither holds and which Table storage takes in a partition key.
    /// </summary>
    static string Key(string tenantId, string subtenantId) => $"{tenantId}:{subtenantId}";

    /// <summary>Whether a key of <see cref="Key"/>'s form is a sub-tenant's (a tenant's is its id alone).</summary>
    static bool IsKey(string key) => key.Contains(':');

    /// <summary>
    /// Creates the sub-tenant, or returns it unchanged when it exists; refused (<see cref="SubtenantCreation.Limit"/>)
    /// when the tenant already has <paramref name="maxPerTenant"/>.
    /// </summary>
    Task<SubtenantCreation> CreateAsync(string? name, bool implicitly, int maxPerTenant);

    /// <summary>The sub-tenant, or null when it does not exist.</summary>
    Task<SubtenantInfo?> GetAsync();

    /// <summary>Pauses its sending with a reason (the tenant's other mail goes on); a paused sub-tenant stays as it is.</summary>
    Task<SubtenantInfo?> PauseAsync(string reason);

    /// <summary>Lets it send again and starts its reputation window afresh.</summary>
    Task<SubtenantInfo?> ResumeAsync();

    /// <summary>
    /// Changes its name, its egress pool ("": none, so the tenant's), whether it keeps its own suppression list or its
    /// spam policy; each null stays as it is. Null when it does not exist.
    /// </summary>
    Task<SubtenantInfo?> UpdateAsync(string? name, string? pool, bool? ownSuppressionList, Tenants.SpamFilterChange? spamFilter = null);

    /// <summary>Replaces its sending limits, which hold within the tenant's; null when it does not exist.</summary>
    Task<SubtenantInfo?> SetLimitsAsync(Tenants.SendingLimits limits);
}

/// <summary>The ids of a tenant's sub-tenants, and the one place their number is limited. Keyed by tenant id.</summary>
public interface ISubtenantDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Adds the id (true when it is there already); false when the tenant has <paramref name="max"/> already.</summary>
    Task<bool> TryAddAsync(string subtenantId, int max);

    /// <summary>The ids, in order.</summary>
    Task<IReadOnlyList<string>> ListAsync();
}

[GenerateSerializer, Immutable, Alias("Sendarix.SubtenantInfo")]
public sealed record SubtenantInfo(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string Id,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] string? Name,
    [property: Id(4)] bool CreatedImplicitly,
    [property: Id(5)] string? PausedReason = null,
    [property: Id(6)] DateTimeOffset? PausedAt = null,
    [property: Id(7)] Tenants.SendingLimits? Limits = null,
    [property: Id(8)] string? Pool = null,
    [property: Id(9)] bool OwnSuppressionList = false,
    [property: Id(10)] Sendarix.Core.Spam.SpamPolicy? SpamFilter = null)
{
    /// <summary>The suppression list its mail is checked against and adds to: its own, or the tenant's.</summary>
    public string SuppressionList => OwnSuppressionList ? ISubtenantGrain.Key(TenantId, Id) : TenantId;
}

/// <summary>The sub-tenant, and whether this call made it; or, with no sub-tenant, the limit that refused it.</summary>
[GenerateSerializer, Immutable, Alias("Sendarix.SubtenantCreation")]
public sealed record SubtenantCreation(
    [property: Id(0)] SubtenantInfo? Subtenant,
    [property: Id(1)] bool Created,
    [property: Id(2)] int? Limit = null);
