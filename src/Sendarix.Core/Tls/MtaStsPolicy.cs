namespace Sendarix.Core.Tls;

/// <summary>
/// An MTA-STS policy (RFC 8461): how the domain wants mail delivered: "enforce" (only to these MX hosts, over verified
/// TLS), "testing" (report only) or "none"; the MX host patterns; how long a sender may keep the policy.
/// </summary>
public sealed record MtaStsPolicy(string Mode, IReadOnlyList<string> Mx, TimeSpan MaxAge)
{
    public const string Enforce = "enforce";
    public const string Testing = "testing";
    public const string None = "none";

    // RFC 8461 3.2: max_age is at most 31557600 seconds (a year).
    static readonly TimeSpan LongestMaxAge = TimeSpan.FromSeconds(31557600);

    /// <summary>The version of the TXT record "v=STSv1; id=…", or null when the text is not one.</summary>
    public static string? RecordId(string txt)
    {
        var tags = txt.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(t => t.Split('=', 2, StringSplitOptions.TrimEntries)).Where(t => t.Length == 2).ToList();
        return tags.Count > 0 && tags[0] is ["v", "STSv1"] && tags.FirstOrDefault(t => t[0] == "id") is [_, { Length: > 0 and <= 32 } id] ? id : null;
    }

    /// <summary>Parses the policy file ("key: value" lines, CRLF or LF).</summary>
    public static bool TryParse(string text, out MtaStsPolicy policy, out string error)
    {
        policy = null!;
        string? version = null, mode = null, maxAge = null;
        var mx = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            var (key, value) = (line[..colon].Trim(), line[(colon + 1)..].Trim());
            switch (key)
            {
                case "version": version = value; break;
                case "mode": mode = value; break;
                case "max_age": maxAge = value; break;
                case "mx": mx.Add(value.TrimEnd('.').ToLowerInvariant()); break;
            }
        }

        error = version != "STSv1" ? "version is not STSv1"
            : mode is not (Enforce or Testing or None) ? $"mode '{mode}' is not enforce, testing or none"
            : !long.TryParse(maxAge, out var seconds) || seconds < 0 ? "max_age is missing or not a number"
            : mode != None && mx.Count == 0 ? "no mx patterns"
            : "";
        if (error.Length > 0)
        {
            return false;
        }

        var age = TimeSpan.FromSeconds(Math.Min(long.Parse(maxAge!), (long)LongestMaxAge.TotalSeconds));
        policy = new MtaStsPolicy(mode!, mx, age);
        return true;
    }

    /// <summary>Whether an MX host name matches one of the patterns: exactly, or "*.example.com" for one more label.</summary>
    public bool Matches(string host)
    {
        host = host.TrimEnd('.').ToLowerInvariant();
        return Mx.Any(pattern => pattern.StartsWith("*.", StringComparison.Ordinal)
            ? host.EndsWith(pattern[1..], StringComparison.Ordinal) && host.IndexOf('.') == host.Length - pattern.Length + 1
            : host == pattern);
    }
}
