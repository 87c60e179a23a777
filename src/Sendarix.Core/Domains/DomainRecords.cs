namespace Sendarix.Core.Domains;

/// <summary>
/// The DNS records a sender domain publishes for the relay, and how the records found in DNS are judged. Pure:
/// the lookups happen elsewhere and hand over the TXT strings found at each name.
/// </summary>
public static class DomainRecords
{
    public static string DkimName(string selector, string domain) => $"{selector}._domainkey.{domain}";

    public static string DmarcName(string domain) => $"_dmarc.{domain}";

    public static string DkimValue(string publicKeyBase64, string keyType = "rsa") => $"v=DKIM1; k={keyType}; p={publicKeyBase64}";

    /// <summary>An SPF record that authorises the relay, or null when no SPF include is configured.</summary>
    public static string? SpfValue(string? include) => string.IsNullOrEmpty(include) ? null : $"v=spf1 include:{include} ~all";

    /// <summary>A cautious first DMARC policy: report only, reports to the domain's own postmaster.</summary>
    public static string DmarcValue(string domain) => $"v=DMARC1; p=none; rua=mailto:postmaster@{domain}";

    /// <summary>Found when a DKIM record at the selector carries exactly this public key.</summary>
    public static RecordStatus CheckDkim(IReadOnlyList<string> txt, string publicKeyBase64)
    {
        var keys = txt.Select(TagList.Parse).Where(t => t.ContainsKey("p") && (!t.TryGetValue("v", out var v) || v == "DKIM1")).ToList();
        if (keys.Count == 0)
        {
            return RecordStatus.Missing;
        }

        return keys.Any(t => t["p"] == publicKeyBase64) ? RecordStatus.Found : RecordStatus.Wrong;
    }

    /// <summary>
    /// Found when the domain has one SPF record and, if an include is configured, it includes it; Wrong for several
    /// SPF records (a permanent error by RFC 7208) or one without the include.
    /// </summary>
    public static RecordStatus CheckSpf(IReadOnlyList<string> txt, string? include)
    {
        var spf = txt.Where(t => t.Equals("v=spf1", StringComparison.OrdinalIgnoreCase) || t.StartsWith("v=spf1 ", StringComparison.OrdinalIgnoreCase)).ToList();
        if (spf.Count == 0)
        {
            return RecordStatus.Missing;
        }

        if (spf.Count > 1)
        {
            return RecordStatus.Wrong;
        }

        return string.IsNullOrEmpty(include) || spf[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Any(term => term.TrimStart('+').Equals($"include:{include}", StringComparison.OrdinalIgnoreCase))
            ? RecordStatus.Found
            : RecordStatus.Wrong;
    }

    /// <summary>Found for one DMARC record with a policy; Wrong for a malformed one or several.</summary>
    public static RecordStatus CheckDmarc(IReadOnlyList<string> txt)
    {
        var dmarc = txt.Where(t => t.StartsWith("v=DMARC1", StringComparison.Ordinal)).ToList();
        if (dmarc.Count == 0)
        {
            return RecordStatus.Missing;
        }

        return dmarc.Count == 1 && TagList.Parse(dmarc[0]).TryGetValue("p", out var p) && p is "none" or "quarantine" or "reject"
            ? RecordStatus.Found
            : RecordStatus.Wrong;
    }
}
