namespace Sendarix.Core.Routing;

/// <summary>RFC 5321 section 5.1: the order in which a domain's mail exchangers are tried.</summary>
public static class MxOrdering
{
    /// <summary>
    /// Sorts by preference; hosts of equal preference are shuffled so load spreads as the RFC asks. A null MX
    /// (RFC 7505: a single "." record) means the domain accepts no mail and yields no hosts.
    /// </summary>
    public static IReadOnlyList<string> Order(IEnumerable<MxHost> records, Random random)
    {
        var list = records.Select(r => r with { Host = r.Host.TrimEnd('.') }).ToList();
        if (list.Count == 1 && list[0].Host.Length == 0)
        {
            return [];
        }

        return list
            .Where(r => r.Host.Length > 0)
            .GroupBy(r => r.Preference)
            .OrderBy(g => g.Key)
            .SelectMany(g => g.OrderBy(_ => random.Next()))
            .Select(r => r.Host)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>True when the records are a null MX (RFC 7505).</summary>
    public static bool IsNullMx(IReadOnlyCollection<MxHost> records) =>
        records.Count == 1 && records.First().Host.TrimEnd('.').Length == 0;
}
