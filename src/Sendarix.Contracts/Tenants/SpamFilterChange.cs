using Sendarix.Core.Spam;

namespace Sendarix.Contracts.Tenants;

/// <summary>A new spam policy for a tenant or sub-tenant; a null <see cref="Policy"/> returns it to the default (the relay's, or the tenant's for a sub-tenant).</summary>
[GenerateSerializer, Immutable, Alias("Sendarix.SpamFilterChange")]
public sealed record SpamFilterChange([property: Id(0)] SpamPolicy? Policy);
