namespace Sendarix.Contracts.Domains;

/// <summary>
/// A DNS record the domain owner is asked to publish: its kind ("dkim", "spf", "dmarc"), name and suggested TXT
/// value, and what the last lookup found ("unchecked", "found", "missing", "wrong").
/// </summary>
[GenerateSerializer, Immutable, Alias("Sendarix.DomainRecord")]
public sealed record DomainRecord(
    [property: Id(0)] string Kind,
    [property: Id(1)] string Name,
    [property: Id(2)] string? Value,
    [property: Id(3)] string Status,
    [property: Id(4)] IReadOnlyList<string> Found);
