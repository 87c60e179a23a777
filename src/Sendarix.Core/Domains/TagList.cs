namespace Sendarix.Core.Domains;

/// <summary>The "tag=value; tag=value" syntax of DKIM (RFC 6376 3.2) and DMARC (RFC 7489 6.4) records.</summary>
public static class TagList
{
    /// <summary>Tags by name (case-sensitive, as the RFCs say); values with all whitespace removed.</summary>
    public static IReadOnlyDictionary<string, string> Parse(string record)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in record.Split(';'))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                continue;
            }

            var name = part[..eq].Trim();
            var value = string.Concat(part[(eq + 1)..].Where(c => !char.IsWhiteSpace(c)));
            tags.TryAdd(name, value);
        }

        return tags;
    }
}
